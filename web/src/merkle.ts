// Checking the ledger in the browser (RFC 9162 section 2.1): leaf hash =
// SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right); an inclusion
// proof's audit path must lead from the leaf to the signed root. The checkpoint's
// Ed25519 signature is checked with the lab's public key (WebCrypto).

export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(hex.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(parts: Uint8Array[]): Promise<Uint8Array> {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

export async function leafHash(entry: Uint8Array): Promise<string> {
  return toHex(await sha256([new Uint8Array([0]), entry]));
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256([new Uint8Array([1]), left, right]);
}

// RFC 9162, 2.1.3.2: verifying an inclusion proof of leaf `index` (0-based) in a
// tree of `size` leaves.
export async function verifyInclusion(
  index: number,
  size: number,
  leaf: string,
  path: string[],
  root: string,
): Promise<boolean> {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = fromHex(leaf);
  for (const hex of path) {
    const p = fromHex(hex);
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && toHex(r) === root;
}

// The canonical bytes of an export line {"hash":"...","entry":{...}}: the entry
// exactly as the server hashed it.
export function entryBytes(line: string): Uint8Array {
  const at = line.indexOf('"entry":');
  const end = line.trimEnd().lastIndexOf("}");
  return new TextEncoder().encode(line.slice(at + 8, end));
}

export function checkpointMessage(size: number, root: string, at: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(new TextEncoder().encode(`qiusuo-ledger-checkpoint-v1\n${size}\n${root}\n${at}\n`));
}

export async function verifyCheckpoint(
  publicKey: string,
  size: number,
  root: string,
  at: number,
  signature: string,
): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey("raw", fromHex(publicKey), { name: "Ed25519" }, false, [
      "verify",
    ]);
    return await crypto.subtle.verify("Ed25519", key, fromHex(signature), checkpointMessage(size, root, at));
  } catch {
    return false;
  }
}
