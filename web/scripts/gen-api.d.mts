export const documentPath: string;
export const outputPath: string;
export function generate(): Promise<string>;
