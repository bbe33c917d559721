// Markdown for pitches and write-ups, rendered to React elements: no HTML from the
// text ever reaches the page, so a pitch cannot run script. Headings, paragraphs,
// lists, code blocks, `code`, **bold**, *italic* and [links](https://...).
import type { ReactNode } from "react";

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*]+\*)|(\[[^\]]+\]\((https?:\/\/[^)\s]+)\))/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let i = 0;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const token = m[0];
    const k = `${key}-${i++}`;
    if (m[1]) out.push(<code key={k}>{token.slice(1, -1)}</code>);
    else if (m[2]) out.push(<strong key={k}>{token.slice(2, -2)}</strong>);
    else if (m[3]) out.push(<em key={k}>{token.slice(1, -1)}</em>);
    else if (m[4] && m[5]) {
      const label = token.slice(1, token.indexOf("]("));
      out.push(
        <a key={k} href={m[5]} rel="noopener noreferrer nofollow" target="_blank">
          {label}
        </a>,
      );
    }
    last = m.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Markdown({ text }: { text: string }) {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const blocks: ReactNode[] = [];
  let i = 0;
  let n = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const key = `b${n++}`;
    if (line.startsWith("```")) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? "").startsWith("```")) code.push(lines[i++] ?? "");
      i++;
      blocks.push(
        <pre key={key}>
          <code>{code.join("\n")}</code>
        </pre>,
      );
    } else if (/^#{1,6}\s/.test(line)) {
      const level = Math.min(6, (line.match(/^#+/)?.[0].length ?? 1) + 2);
      const Tag = `h${level}` as "h3";
      blocks.push(<Tag key={key}>{inline(line.replace(/^#+\s/, ""), key)}</Tag>);
      i++;
    } else if (/^\s*([-*]|\d+\.)\s/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: ReactNode[] = [];
      while (i < lines.length && /^\s*([-*]|\d+\.)\s/.test(lines[i] ?? "")) {
        items.push(
          <li key={`${key}-${items.length}`}>
            {inline((lines[i] ?? "").replace(/^\s*([-*]|\d+\.)\s/, ""), `${key}-${items.length}`)}
          </li>,
        );
        i++;
      }
      blocks.push(ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>);
    } else if (line.trim() === "") {
      i++;
    } else {
      const para: string[] = [];
      while (i < lines.length && (lines[i] ?? "").trim() !== "" && !/^(#|```|\s*([-*]|\d+\.)\s)/.test(lines[i] ?? ""))
        para.push(lines[i++] ?? "");
      blocks.push(<p key={key}>{inline(para.join(" "), key)}</p>);
    }
  }
  return <div className="markdown">{blocks}</div>;
}
