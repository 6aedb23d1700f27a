/**
 * parseGoTime reads the common RFC3339 shape by position (it runs three times per node of every parent
 * tree a backup reads) and leaves everything else to the pattern: for every text, valid or not, both
 * give the same time or the same error. Texts: real node times in several zones, edge values, and
 * random mutations of them (digits, separators, lengths, fractions of 0-12 digits, odd offsets).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatGoTime, goTimeFromUnixNanos, parseGoTime, parseGoTimeByPattern } from '../../engine/repo/tree/goTime.ts';
import { seededRandom } from '../helpers/fixtures.ts';

function outcome(parse: (text: string) => unknown, text: string): unknown {
  try {
    return { ok: parse(text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}


const EDGES = [
  '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '0000-01-01T00:00:00Z', '2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z',
  '2023-11-14T23:13:20.12+01:00', '2023-11-14T23:13:20-00:00', '2023-11-14T23:13:20+14:59', '2023-11-14T23:13:20.1234567891234Z',
  '2023-11-14T23:13:20.Z', '2023-11-14T24:00:00Z', '2023-11-14T23:60:00Z', '2023-11-14T23:13:60Z', '2023-13-14T23:13:20Z',
  '2023-00-14T23:13:20Z', '2023-11-00T23:13:20Z', '2023-11-31T23:13:20Z', '2023-11-14 23:13:20Z', '2023-11-14T23:13:20', '2023-11-14T23:13:20+0100',
  '2023-11-14T23:13:20+01:0', '2023-11-14T23:13:20+01:000', '2023-11-14T23:13:20z', '+2023-11-14T23:13:20Z', '2023-11-14T23:13:20ZZ', '',
  '２０２３-11-14T23:13:20Z', '2023-11-14T23:13:2٠Z', '2023-11-14T23:13:20.٠Z',
];

test('the positional reading and the pattern agree on edge texts', () => {
  for (const text of EDGES) assert.equal(outcome(parseGoTime, text), outcome(parseGoTimeByPattern, text), text);
});

test('they agree on real node times in several zones and on 20 000 mutations of them', () => {
  const next = seededRandom(0x5eed);
  const texts: string[] = [];
  for (const tz of ['UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kolkata', 'Africa/Monrovia']) {
    process.env.TZ = tz;
    for (let i = 0; i < 200; i++) {
      const ns = BigInt(Math.floor((next() - 0.3) * 4e9)) * 1_000_000_000n + BigInt(Math.floor(next() * 1e9));
      texts.push(formatGoTime(goTimeFromUnixNanos(ns)));
    }
  }
  delete process.env.TZ;
  const alphabet = '0123456789-:.TZ+ z';
  for (let i = 0; i < 20_000; i++) {
    let text = texts[Math.floor(next() * texts.length)]!;
    const edits = 1 + Math.floor(next() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * (text.length + 1));
      const c = alphabet[Math.floor(next() * alphabet.length)]!;
      const kind = next();
      text = kind < 0.4 ? text.slice(0, at) + c + text.slice(at + 1) : kind < 0.7 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    }
    texts.push(text);
  }
  let valid = 0;
  for (const text of texts) {
    const fast = outcome(parseGoTime, text);
    assert.equal(fast, outcome(parseGoTimeByPattern, text), text);
    if ((fast as { ok?: unknown }).ok !== undefined) valid++;
  }
  assert.ok(valid > 1000 && valid < texts.length - 1000, `${valid} of ${texts.length} texts valid: the mix should hold both`);
});

test.run();
