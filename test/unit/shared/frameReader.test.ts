import * as assert from 'node:assert/strict';
import { FrameReader } from '../../../shared/oneShot';

const frame = (body: string, header = `Content-Length: ${Buffer.byteLength(body)}`) => Buffer.from(`${header}\r\n\r\n${body}`, 'utf8');
const texts = (bodies: Buffer[]) => bodies.map((b) => b.toString('utf8'));

describe('FrameReader (the one-shot client reads Content-Length frames)', () => {
  it('reads frames whole, split anywhere, and several in one chunk', () => {
    const bodies = ['{"id":1}', '{"text":"caf\u00e9 \u2615"}', '{}'];
    const all = Buffer.concat(bodies.map((b) => frame(b)));
    // every split point, including inside the header, the separator and a multi-byte character
    for (let at = 0; at <= all.length; at++) {
      const r = new FrameReader();
      const got = [...r.push(all.subarray(0, at)), ...r.push(all.subarray(at))];
      assert.deepEqual(texts(got), bodies, `split at ${at}`);
    }
    const r = new FrameReader();
    const got: Buffer[] = [];
    for (const byte of all) got.push(...r.push(Buffer.from([byte])));
    assert.deepEqual(texts(got), bodies, 'one byte at a time');
  });

  it('takes other headers, in any case, and a UTF-8 Content-Type', () => {
    const r = new FrameReader();
    assert.deepEqual(texts(r.push(frame('{}', 'content-type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH: 2'))), ['{}']);
    assert.deepEqual(texts(r.push(frame('[]', 'Content-Length: 2\r\nContent-Type: application/json'))), ['[]']);
  });

  it('refuses a malformed or oversized frame with a reason', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [frame('{}', 'Content-Type: application/json'), /without Content-Length/],
      [frame('{}', 'Content-Length: two'), /malformed Content-Length/],
      [frame('{}', 'Content-Length: -2'), /malformed Content-Length/],
      [frame('{}', 'no colon here'), /malformed frame header line/],
      [frame('{}', 'Content-Length: 2\r\nContent-Type: text/plain; charset=latin1'), /charset other than UTF-8/],
      [frame('{}', 'Content-Length: 2000'), /2000 bytes, more than the 1000 accepted/],
      [Buffer.from(`X-Padding: ${'x'.repeat(9000)}`), /header longer than 8 KB/],
    ];
    for (const [bytes, re] of cases) assert.throws(() => new FrameReader(1000).push(bytes), re, bytes.toString('latin1').slice(0, 40));
  });
});
