/**
 * Poly1305 micro-benchmark: MB/s (10^6 bytes per second) of our WebAssembly Poly1305 against
 * @noble/ciphers on one message (default 16 MiB), one-shot and fed in 1 MiB update() pieces, plus
 * smaller messages for the per-call overhead. Prints ours/noble; the target is ≥ 2.5.
 * `node bench/poly1305.ts [MiB] [rounds]`
 * Under bench/run.ts the same numbers go as JSON to OFFLINESEED_BENCH_RESULT_FILE.
 */
import { randomFillSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { poly1305 as noblePoly1305 } from '@noble/ciphers/_poly1305.js';
import { createPoly1305, poly1305Backend, poly1305Mac } from '../engine/repo/crypto/poly1305.ts';
import { poly1305AesMac } from '../engine/repo/crypto/poly1305Aes.ts';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 16);
const rounds = Number(process.argv[3] ?? 15);
const TARGET = 2.5;
const startedAt = new Date().toISOString();

const message = randomFillSync(new Uint8Array(sizeMiB * MiB));
const key = randomFillSync(new Uint8Array(32));

/** Best-of-rounds MB/s of fn over `bytes` per call, each round at least ~50 ms of calls. */
function measure(bytes: number, fn: () => void): number {
  let calls = 1;
  for (let t = 0; t < 0.05; calls *= 2) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    t = Number(process.hrtime.bigint() - started) / 1e9;
    if (t >= 0.05) break;
  }
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9 / calls);
  }
  return bytes / 1e6 / best;
}

const pieces = (data: Uint8Array): void => {
  const mac = createPoly1305(key);
  for (let off = 0; off < data.length; off += MiB) mac.update(data.subarray(off, off + MiB));
  mac.digest();
};

interface Case {
  name: string;
  bytes: number;
  ours: () => void;
  noble: () => void;
}
const macK = randomFillSync(new Uint8Array(16));
const macR = randomFillSync(new Uint8Array(16));
const iv = randomFillSync(new Uint8Array(16));
const small = (size: number): Case => {
  const m = message.subarray(0, size);
  return { name: `${size} B messages`, bytes: size, ours: () => poly1305Mac(m, key), noble: () => noblePoly1305(m, key) };
};
const cases: Case[] = [
  { name: `${sizeMiB} MiB one-shot`, bytes: message.length, ours: () => poly1305Mac(message, key), noble: () => noblePoly1305(message, key) },
  { name: `${sizeMiB} MiB in 1 MiB update()s`, bytes: message.length, ours: () => pieces(message), noble: () => noblePoly1305.create(key).update(message).digest() },
  {
    name: '1 MiB Poly1305-AES (with AES-128 of the IV)',
    bytes: MiB,
    ours: () => poly1305AesMac(message.subarray(0, MiB), macK, macR, iv),
    noble: () => noblePoly1305(message.subarray(0, MiB), key),
  },
  small(64 * 1024),
  small(4096),
  small(256),
];

interface Measured {
  name: string;
  bytes: number;
  ours: number;
  noble: number;
}
const results: Measured[] = [];
process.stdout.write(`Poly1305 (${poly1305Backend}) vs @noble/ciphers, best of ${rounds} rounds, MB = 10^6 bytes\n`);
process.stdout.write(`${'case'.padEnd(46)} ${'ours MB/s'.padStart(10)} ${'noble MB/s'.padStart(11)} ${'ratio'.padStart(7)}\n`);
for (const c of cases) {
  c.ours();
  c.noble();
  const ours = measure(c.bytes, c.ours);
  const noble = measure(c.bytes, c.noble);
  results.push({ name: c.name, bytes: c.bytes, ours, noble });
  process.stdout.write(`${c.name.padEnd(46)} ${ours.toFixed(0).padStart(10)} ${noble.toFixed(0).padStart(11)} ${(ours / noble).toFixed(2).padStart(7)}\n`);
}
const headline = results[0]!;
const ratio = headline.ours / headline.noble;
const met = ratio >= TARGET;
process.stdout.write(`\nratio ours/noble on ${sizeMiB} MiB: ${ratio.toFixed(2)} (target ≥ ${TARGET}: ${met ? 'ok' : 'MISS'})\n`);

const resultFile = process.env.OFFLINESEED_BENCH_RESULT_FILE;
if (resultFile !== undefined && resultFile !== '') {
  // The shape bench/run.ts collects (BenchResult of bench/lib/report.ts).
  const report = {
    name: 'poly1305',
    startedAt,
    finishedAt: new Date().toISOString(),
    environment: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', backend: poly1305Backend, messageMiB: sizeMiB, rounds },
    rows: results.flatMap((r) => [
      { benchCase: r.name, tool: 'offlineseed', status: 'ok', seconds: r.bytes / 1e6 / r.ours, bytesProcessed: r.bytes, ratio: { value: r.ours / r.noble } },
      { benchCase: r.name, tool: '@noble/ciphers', status: 'ok', seconds: r.bytes / 1e6 / r.noble, bytesProcessed: r.bytes, isReference: true },
    ]),
    ratios: [
      {
        metric: `Poly1305 MB/s on ${sizeMiB} MiB vs @noble/ciphers`,
        kind: 'relative',
        unit: 'MB/s',
        ours: headline.ours,
        reference: headline.noble,
        value: ratio,
        target: { op: '>=', value: TARGET },
        verdict: met ? 'ok' : 'MISS',
      },
    ],
    notes: ['seconds: best time of one call'],
    exitCode: 0,
  };
  writeFileSync(resultFile, JSON.stringify(report, null, 2));
}
