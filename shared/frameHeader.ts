// The header section of a frame of the JSON-RPC base protocol (`Content-Length: N\r\n…\r\n\r\n`),
// written and read the same way by the daemon (daemon/server/rawJsonWriter.ts, boundedReader.ts) and
// by the CLI's one-shot client (oneShot.ts).

/** The header section of a frame whose body is `length` bytes, blank line included. */
export function frameHeader(length: number, contentType?: string): Buffer {
  return Buffer.from(`Content-Length: ${length}\r\n${contentType === undefined ? '' : `Content-Type: ${contentType}\r\n`}\r\n`, 'ascii');
}

export type FrameHeader = { contentLength: number; contentType?: string } | { problem: string };

/** The header lines (without the blank line that ends them): every one `Name: value`, one Content-Length. */
export function parseFrameHeader(header: string): FrameHeader {
  let contentLength: number | undefined;
  let contentType: string | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { problem: `a malformed frame header line: ${JSON.stringify(line.slice(0, 80))}` };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,12}$/.test(value)) return { problem: `a malformed Content-Length: ${JSON.stringify(value.slice(0, 40))}` };
      contentLength = Number(value);
    } else if (name === 'content-type') {
      contentType = value;
    }
  }
  if (contentLength === undefined) return { problem: 'a frame without Content-Length' };
  return contentType === undefined ? { contentLength } : { contentLength, contentType };
}
