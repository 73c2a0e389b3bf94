// The plain-JavaScript SHA-256 behind the home id gives node:crypto's bytes for every length and
// every kind of character, so a daemon and a client never disagree on a socket's name.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { homeId } from '../../../shared/paths';
import { sha256Hex } from '../../../shared/sha256';

const reference = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 examples', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto at every length around the block boundaries, and for any characters', () => {
    for (let n = 0; n <= 300; n++) {
      const s = 'x'.repeat(n);
      assert.equal(sha256Hex(s), reference(s), `length ${n}`);
    }
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const chars = ['a', '/', ' ', 'é', 'ß', '日', '本', '😀', '\u0000', '\n', '\\'];
    for (let i = 0; i < 500; i++) {
      const s = Array.from({ length: Math.floor(rnd() * 200) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
      assert.equal(sha256Hex(s), reference(s), JSON.stringify(s));
    }
  });

  it('gives the home id the socket and lock names are made of', () => {
    for (const home of ['/home/alice/.skillmeat', '/tmp/exp/home', '/Users/Zoë/.skillmeat', 'C:\\Users\\bob\\.skillmeat']) {
      assert.equal(homeId(home), reference(path.resolve(home)).slice(0, 12));
    }
  });
});
