import * as assert from 'node:assert/strict';
import { RawJson, serializeMessage } from '../../../daemon/server/rawJsonWriter';

describe('serializeMessage', () => {
  it('splices ready-made JSON as the result, giving what JSON.stringify would', () => {
    const result = { home: '/h "quoted" \\ path', workspaces: [{ folder: '/w', artifacts: [{ key: 'a::skill::claude_code', n: 1 }] }] };
    const msg = { jsonrpc: '2.0', id: 7, result: new RawJson(JSON.stringify(result)) };
    const text = serializeMessage(msg as never);
    assert.deepEqual(JSON.parse(text), { jsonrpc: '2.0', id: 7, result });
    assert.equal(text, JSON.stringify({ jsonrpc: '2.0', id: 7, result }));
  });

  it('leaves every other message to JSON.stringify', () => {
    const msgs = [
      { jsonrpc: '2.0', id: 'x', result: { ok: true } },
      { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad "params"' } },
      { jsonrpc: '2.0', method: 'skillmeat/didChange', params: { workspaces: [], collections: [] } },
    ];
    for (const m of msgs) assert.equal(serializeMessage(m as never), JSON.stringify(m));
  });
});
