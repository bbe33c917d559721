// A job's output as the page shows it, from the `log` events of GET /api/v1/events.
// After a dropped connection the browser reconnects by itself; a server that numbers
// its events (`id:` = the output's byte offset after the event) resumes after the
// Last-Event-ID the browser sends, and one that does not starts the output again
// from its first byte. Either way each byte is shown once: the tail knows how many
// bytes it holds and keeps only what lies past them.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LogTail {
  text = "";
  bytes = 0; // how much of the output `text` holds, in bytes
  private next = 0; // where this connection's next unnumbered chunk starts

  // A (re)connected stream: without numbered events it starts from the beginning.
  opened(): void {
    this.next = 0;
  }

  // Adds one `log` event; returns what was new in it ("" when all was shown already).
  add(chunk: string, lastEventId = ""): string {
    const data = encoder.encode(chunk);
    let start = this.next;
    const id = /^\d+$/.test(lastEventId) ? Number(lastEventId) : null;
    if (id !== null) start = id >= data.length ? id - data.length : id;
    const end = start + data.length;
    this.next = end;
    if (end <= this.bytes) return "";
    // Past a gap (output the stream skipped), show what came; never show a byte twice.
    const fresh = decoder.decode(data.subarray(Math.max(0, this.bytes - start)));
    this.text += fresh;
    this.bytes = end;
    return fresh;
  }
}
