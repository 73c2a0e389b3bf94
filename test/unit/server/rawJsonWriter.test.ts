import * as assert from 'node:assert/strict';
import { RawJson, serializeMessage } from '../../../daemon/server/rawJsonWriter';

const text = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8');

describe('serializeMessage', () => {
  it('splices ready-made JSON as the result, giving what JSON.stringify would', () => {
    const result = { home: '/h "quoted" \\ path', workspaces: [{ folder: '/w', artifacts: [{ key: 'a::skill::claude_code', n: 1 }] }] };
    const msg = { jsonrpc: '2.0', id: 7, result: new RawJson(JSON.stringify(result)) };
    const body = text(serializeMessage(msg as never));
    assert.deepEqual(JSON.parse(body), { jsonrpc: '2.0', id: 7, result });
    assert.equal(body, JSON.stringify({ jsonrpc: '2.0', id: 7, result }));
  });

  it('splices parts (strings and UTF-8 bytes) in order', () => {
    const result = { name: 'café ☕', list: [1, 2] };
    const json = JSON.stringify(result);
    const at = json.indexOf('[');
    const raw = new RawJson([json.slice(0, at), Buffer.from(json.slice(at), 'utf8')]);
    assert.equal(raw.byteLength, Buffer.byteLength(json));
    assert.equal(raw.toString(), json);
    assert.equal(text(serializeMessage({ jsonrpc: '2.0', id: 1, result: raw } as never)), JSON.stringify({ jsonrpc: '2.0', id: 1, result }));
  });

  it('leaves every other message to JSON.stringify', () => {
    const msgs = [
      { jsonrpc: '2.0', id: 'x', result: { ok: true } },
      { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad "params"' } },
      { jsonrpc: '2.0', method: 'skillmeat/didChange', params: { workspaces: [], collections: [] } },
    ];
    for (const m of msgs) assert.equal(text(serializeMessage(m as never)), JSON.stringify(m));
  });
});
