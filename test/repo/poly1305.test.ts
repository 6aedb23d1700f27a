import { spawnSync } from 'node:child_process';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { poly1305 as noblePoly1305 } from '@noble/ciphers/_poly1305.js';
import { createPoly1305, poly1305Backend, poly1305Mac } from '../../engine/repo/crypto/poly1305.ts';
import { poly1305AesMac } from '../../engine/repo/crypto/poly1305Aes.ts';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const random = (length: number): Uint8Array => new Uint8Array(randomBytes(length));

/** Feeds message in pieces cut at the given lengths (the rest goes in one last piece). */
function incremental(message: Uint8Array, key: Uint8Array, pieces: number[]): Uint8Array {
  const mac = createPoly1305(key);
  let offset = 0;
  for (const length of pieces) {
    mac.update(message.subarray(offset, Math.min(message.length, offset + length)));
    offset = Math.min(message.length, offset + length);
  }
  mac.update(message.subarray(offset));
  return mac.digest();
}

function randomPieces(length: number): number[] {
  const pieces: number[] = [];
  for (let total = 0; total < length; ) {
    const piece = Math.floor(Math.random() ** 3 * Math.min(length, 100_000));
    pieces.push(piece);
    total += piece;
  }
  return pieces;
}

test('runs on WebAssembly', () => {
  assert.is(poly1305Backend, 'wasm');
});

test('Poly1305-AES vectors of restic-format.md §2.4 (Bernstein) through poly1305AesMac', () => {
  const vectors: [string, string, string, string, string][] = [
    ['f3f6', '851fc40c3467ac0be05cc20404f3f700', 'ec074c835580741701425b623235add6', 'fb447350c4e868c52ac3275cf9d4327e', 'f4c633c3044fc145f84f335cb81953de'],
    ['', 'a0f3080000f46400d0c7e9076c834403', '75deaa25c09f208e1dc4ce6b5cad3fbf', '61ee09218d29b0aaed7e154a2c5509cc', 'dd3fab2251f11ac759f0887129cc2ee7'],
    ['663cea190ffb83d89593f3f476b6bc24d7e679107ea26adb8caf6652d0656136', '48443d0bb0d21109c89a100b5ce2c208', '6acb5f61a7176dd320c5c1eb2edcdc74', 'ae212a55399729595dea458bc621ff0e', '0ee1c16bb73f0f4fd19881753c01cdbe'],
    [
      'ab0812724a7f1e342742cbed374d94d136c6b8795d45b3819830f2c04491faf0990c62e48b8018b2c3e4a0fa3134cb67fa83e158c994d961c4cb21095c1bf9',
      '12976a08c4426d0ce8a82407c4f48207', 'e1a5668a4d5b66a5f68cc5424ed5982d', '9ae831e743978d3a23527c7128149e3a', '5154ad0d2cb26e01274fc51148491f1b',
    ],
  ];
  for (const [message, r, k, nonce, mac] of vectors) {
    assert.is(toHex(poly1305AesMac(hex(message), hex(k), hex(r), hex(nonce))), mac, `message ${message.slice(0, 16)}…`);
  }
});

const ietfText =
  'Any submission to the IETF intended by the Contributor for publication as all or part of an IETF ' +
  'Internet-Draft or RFC and any statement made within the context of an IETF activity is considered an ' +
  '"IETF Contribution". Such statements include oral statements in IETF sessions, as well as written and ' +
  'electronic communications made at any time or place, which are addressed to';
const jabberwocky =
  "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\nAll mimsy were the borogoves,\nAnd the mome raths outgrabe.";

// [name, key r‖s, message, tag]: RFC 8439 §2.5.2 and appendix A.3 #1–#11.
const rfcVectors: [string, string, Uint8Array, string][] = [
  ['§2.5.2 (r needs clamping)', '85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', ascii('Cryptographic Forum Research Group'), 'a8061dc1305136c6c22b8baf0c0127a9'],
  ['A.3 #1 zero key', '00'.repeat(32), new Uint8Array(64), '00'.repeat(16)],
  ['A.3 #2 r = 0', '00'.repeat(16) + '36e5f6b5c5e06070f0efca96227a863e', ascii(ietfText), '36e5f6b5c5e06070f0efca96227a863e'],
  ['A.3 #3 s = 0', '36e5f6b5c5e06070f0efca96227a863e' + '00'.repeat(16), ascii(ietfText), 'f3477e7cd95417af89a6b8794c310cf0'],
  ['A.3 #4 partial last block', '1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0', ascii(jabberwocky), '4541669a7eaaee61e708dc7cbcc5eb62'],
  ['A.3 #5 h not fully reduced', '02' + '00'.repeat(31), hex('ff'.repeat(16)), '03' + '00'.repeat(15)],
  ['A.3 #6 h + s wraps mod 2^128', '02' + '00'.repeat(15) + 'ff'.repeat(16), hex('02' + '00'.repeat(15)), '03' + '00'.repeat(15)],
  ['A.3 #7 h ≥ p after the last block', '01' + '00'.repeat(31), hex('ff'.repeat(16) + 'f0' + 'ff'.repeat(15) + '11' + '00'.repeat(15)), '05' + '00'.repeat(15)],
  ['A.3 #8 h = p exactly', '01' + '00'.repeat(31), hex('ff'.repeat(16) + 'fb' + 'fe'.repeat(15) + '01'.repeat(16)), '00'.repeat(16)],
  ['A.3 #9 h = p − 5 + 2^130·…', '02' + '00'.repeat(31), hex('fd' + 'ff'.repeat(15)), 'fa' + 'ff'.repeat(15)],
  [
    'A.3 #10 carry across limbs',
    '0100000000000000040000000000000000000000000000000000000000000000',
    hex('e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000'),
    '14000000000000005500000000000000',
  ],
  [
    'A.3 #11 carry across limbs',
    '0100000000000000040000000000000000000000000000000000000000000000',
    hex('e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000'),
    '13000000000000000000000000000000',
  ],
];

test('RFC 8439 §2.5.2 and appendix A.3 vectors, one-shot and byte by byte', () => {
  assert.is(ietfText.length, 375);
  assert.is(jabberwocky.length, 127);
  for (const [name, key, message, tag] of rfcVectors) {
    assert.is(toHex(poly1305Mac(message, hex(key))), tag, name);
    assert.is(toHex(incremental(message, hex(key), new Array<number>(message.length).fill(1))), tag, `${name}, byte by byte`);
    assert.is(toHex(noblePoly1305(message, hex(key))), tag, `${name}, noble agrees`);
  }
});

test('matches noble for random keys and every length 0..2000, one-shot and in pieces', () => {
  const ones = new Uint8Array(32).fill(0xff);
  const rOnes = new Uint8Array(32).fill(0xff, 0, 16);
  const sOnes = new Uint8Array(32).fill(0xff, 16);
  for (let length = 0; length <= 2000; length++) {
    const message = random(length);
    const maxMessage = new Uint8Array(length).fill(0xff);
    for (const key of [random(32), ones, rOnes, sOnes]) {
      for (const m of [message, maxMessage]) {
        const expected = toHex(noblePoly1305(m, key));
        assert.is(toHex(poly1305Mac(m, key)), expected, `length ${length}, key ${toHex(key)}`);
        if (length % 7 === 0) assert.is(toHex(incremental(m, key, randomPieces(length))), expected, `length ${length} in pieces`);
      }
    }
  }
});

test('matches noble on MiB messages, one-shot and in pieces that straddle the copy window', () => {
  const ones = new Uint8Array(32).fill(0xff);
  for (const length of [1 << 20, 3 * (1 << 20) + 7, (16 << 20) + 15]) {
    const message = random(length);
    for (const key of [random(32), ones]) {
      const expected = toHex(noblePoly1305(message, key));
      assert.is(toHex(poly1305Mac(message, key)), expected, `${length} bytes`);
      assert.is(toHex(incremental(message, key, [1, 32767, 32768, 32769, 65536 + 13, 5, 1 << 20])), expected, `${length} bytes in pieces`);
    }
  }
  const maxMessage = new Uint8Array(1 << 20).fill(0xff);
  assert.is(toHex(poly1305Mac(maxMessage, ones)), toHex(noblePoly1305(maxMessage, ones)), 'all-ones message under all-ones key');
});

test('interleaved incremental MACs and one-shot calls keep their own state', () => {
  const keys = [random(32), random(32), random(32)];
  const messages = [random(100_000), random(70_001), random(333)];
  const macs = keys.map((key) => createPoly1305(key));
  const offsets = [0, 0, 0];
  for (let round = 0; offsets.some((o, i) => o < messages[i]!.length); round++) {
    for (let i = 0; i < macs.length; i++) {
      const step = 1 + ((round * 37 + i * 1009) % 20_000);
      macs[i]!.update(messages[i]!.subarray(offsets[i], offsets[i]! + step));
      offsets[i] = Math.min(messages[i]!.length, offsets[i]! + step);
      const other = random(round % 50);
      const otherKey = random(32);
      assert.is(toHex(poly1305Mac(other, otherKey)), toHex(noblePoly1305(other, otherKey)));
    }
  }
  const first = macs[1]!.digest();
  const late = createPoly1305(keys[2]!).update(messages[2]!).digest();
  assert.is(toHex(first), toHex(noblePoly1305(messages[1]!, keys[1]!)));
  assert.is(toHex(macs[0]!.digest()), toHex(noblePoly1305(messages[0]!, keys[0]!)));
  assert.is(toHex(macs[2]!.digest()), toHex(late));
});

test('the full envelope of restic-format.md §2.4: MAC over ciphertext only, then AES-256-CTR decrypt', () => {
  const encrypt = hex('303e8687b1d7db18421bdc6bb8588ccadac4d59ee87b8ff70c44e635790cafef');
  const macK = hex('ef4d8824cb80b2bcc5fbff8a9b12a42c');
  const macR = hex('cc8d4b948ee0ebfe1d415de921d10353');
  const stored = hex('69fb41c62d12def4593bd71757138606338f621aeaeb39da0fe4f99233f8037a54ea63338a813bcf3f75d8c3cc75dddf8750');
  const iv = stored.subarray(0, 16);
  const ciphertext = stored.subarray(16, stored.length - 16);
  const mac = stored.subarray(stored.length - 16);
  assert.is(toHex(poly1305AesMac(ciphertext, macK, macR, iv)), toHex(mac));
  assert.is.not(toHex(poly1305AesMac(stored.subarray(0, stored.length - 16), macK, macR, iv)), toHex(mac), 'a MAC over IV ‖ ciphertext must not verify');
  const decipher = createDecipheriv('aes-256-ctr', encrypt, iv);
  const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  assert.is(plaintext, 'Dies ist ein Test!');
});

test('rejects keys of the wrong size and a second digest', () => {
  assert.throws(() => poly1305Mac(new Uint8Array(1), new Uint8Array(31)), /32 bytes/);
  assert.throws(() => createPoly1305(new Uint8Array(33)), /32 bytes/);
  assert.throws(() => poly1305AesMac(new Uint8Array(1), new Uint8Array(16), new Uint8Array(15), new Uint8Array(16)), /16 bytes/);
  const mac = createPoly1305(random(32));
  mac.digest();
  assert.throws(() => mac.digest(), /twice/);
  assert.throws(() => mac.update(new Uint8Array(1)), /after digest/);
});

test('falls back to noble where WebAssembly is missing', () => {
  // Node strips TypeScript with WebAssembly, so WebAssembly is removed only after the whole module graph
  // is loaded: static imports are all translated before the first one is evaluated.
  const script = `
    import 'data:text/javascript,delete globalThis.WebAssembly';
    import { poly1305Backend, poly1305Mac, createPoly1305 } from './engine/repo/crypto/poly1305.ts';
    const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
    const message = Buffer.from('Cryptographic Forum Research Group');
    const pieces = createPoly1305(key).update(message.subarray(0, 5)).update(message.subarray(5)).digest();
    console.log(typeof WebAssembly, poly1305Backend, Buffer.from(poly1305Mac(message, key)).toString('hex'), Buffer.from(pieces).toString('hex'));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  assert.is(run.stdout.trim(), 'undefined noble a8061dc1305136c6c22b8baf0c0127a9 a8061dc1305136c6c22b8baf0c0127a9');
});

test.run();
