import { api } from "../../api";

// The whole output of a job (one stream), fetched piece by piece from the logs
// endpoint and saved as a file.
export async function download(id: number, stream: "stdout" | "stderr") {
  const parts: string[] = [];
  let offset = 0;
  for (let i = 0; i < 10_000; i++) {
    const chunk = await api.logs(id, offset, stream);
    parts.push(chunk.data);
    if (!chunk.data || chunk.next_offset === offset) break;
    offset = chunk.next_offset;
  }
  const url = URL.createObjectURL(new Blob(parts, { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `job-${id}.${stream}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
