/**
 * The repository format against restic 0.14: a repository our engine initialises (key, config with our
 * chunker metadata, packs, index, snapshot) must pass `restic check --read-data`, and we must open one
 * that restic created. Crypto test vectors from restic's own tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalBackend } from '../../engine/repo/backend/localBackend.ts';
import { open, seal } from '../../engine/repo/crypto/seal.ts';
import { isIrreducible, isValidChunkerPolynomial } from '../../engine/repo/format/chunkerPolynomial.ts';
import { encodeIndex } from '../../engine/repo/format/indexFile.ts';
import { PackBuilder } from '../../engine/repo/format/packBuilder.ts';
import { sealBlobPlaintext } from '../../engine/repo/format/blobSealing.ts';
import { encodeSnapshot } from '../../engine/repo/format/snapshot.ts';
import { rfc3339Now } from '../../engine/repo/format/timestamp.ts';
import { Repository, sha256Hex } from '../../engine/repo/repository.ts';
import { rejects } from '../helpers/assertions.ts';

const PASSWORD = 'correct horse battery staple';
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };
const tmp = mkdtempSync(join(tmpdir(), 'offlineseed-format-'));
const restic = (repo: string, ...args: string[]): string =>
  execFileSync('restic', ['-r', repo, '--no-cache', ...args], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('seal/open round-trips and the restic envelope test vector decrypts', () => {
  const key = {
    encrypt: Buffer.from('303e8687b1d7db18421bdc6bb8588ccadac4d59ee87b8ff70c44e635790cafef', 'hex'),
    macK: Buffer.from('ef4d8824cb80b2bcc5fbff8a9b12a42c', 'hex'),
    macR: Buffer.from('cc8d4b948ee0ebfe1d415de921d10353', 'hex'),
  };
  const stored = Buffer.from('69fb41c62d12def4593bd71757138606338f621aeaeb39da0fe4f99233f8037a54ea63338a813bcf3f75d8c3cc75dddf8750', 'hex');
  assert.is(open(key, stored).toString(), 'Dies ist ein Test!');
  const sealed = seal(key, Buffer.from('hello'));
  assert.is(sealed.length, 5 + 32);
  assert.is(open(key, sealed).toString(), 'hello');
  const tampered = Buffer.from(sealed);
  tampered[20]! ^= 1;
  assert.throws(() => open(key, tampered), /ciphertext verification failed/);
  const zeroIv = Buffer.from(sealed);
  zeroIv.fill(0, 0, 16);
  assert.throws(() => open(key, zeroIv), /ciphertext verification failed/);
});

test('chunker polynomials: a known irreducible one, a reducible one', () => {
  assert.ok(isValidChunkerPolynomial(0x3DA3358B4DC173n), 'restic/chunker test polynomial');
  assert.not.ok(isIrreducible((1n << 53n) | 1n), 'x^53 + 1 is divisible by x + 1');
  assert.not.ok(isValidChunkerPolynomial((1n << 53n) | (1n << 1n)), 'divisible by x');
});

test('a repository we write passes restic check --read-data and restic reads our snapshot', async () => {
  const dir = join(tmp, 'ours');
  const repo = await Repository.init(new LocalBackend(dir), PASSWORD, { scrypt: FAST_SCRYPT, offlineseed: { chunker: { algorithm: 'test' } } });
  const content = Buffer.from('hello restic\n');
  const dataPack = new PackBuilder(repo.key, 'data');
  const big = Buffer.alloc(200_000, 'abc');
  for (const plain of [content, big]) {
    const { sealed, uncompressedLength } = sealBlobPlaintext(repo.key, plain, 'auto');
    dataPack.add(sha256Hex(plain), sealed, uncompressedLength);
  }
  const file = { name: 'hello.txt', type: 'file', mode: 420, mtime: '2026-11-21T17:00:25.466212664+01:00', atime: '2026-11-21T17:00:25.466212664+01:00', ctime: '2026-11-21T17:00:25.466212664+01:00', uid: 0, gid: 0, size: 13, links: 1, content: [sha256Hex(content)] };
  const tree = Buffer.from(JSON.stringify({ nodes: [file] }) + '\n');
  const treePack = new PackBuilder(repo.key, 'tree');
  const sealedTree = sealBlobPlaintext(repo.key, tree, 'auto', true);
  treePack.add(sha256Hex(tree), sealedTree.sealed, sealedTree.uncompressedLength);
  const packs = [dataPack.finish(), treePack.finish()];
  for (const p of packs) await repo.backend.save({ type: 'data', name: p.id }, p.parts);
  await repo.saveUnpacked('index', encodeIndex(packs.map((p) => ({ id: p.id, blobs: p.entries }))));
  const snapId = await repo.saveUnpacked('snapshots', encodeSnapshot({ time: rfc3339Now(), tree: sha256Hex(tree), paths: ['/src'], hostname: 'h', tags: ['t1'] }));

  const check = restic(dir, 'check', '--read-data');
  assert.match(check, /no errors were found/);
  const ls = restic(dir, 'ls', snapId.slice(0, 8));
  assert.match(ls, /\/hello.txt/);
  const dump = execFileSync('restic', ['-r', dir, '--no-cache', 'dump', snapId.slice(0, 8), '/hello.txt'], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD } });
  assert.is(dump.toString(), 'hello restic\n');

  const reopened = await Repository.open(new LocalBackend(dir), PASSWORD);
  assert.equal(reopened.config.offlineseed, { chunker: { algorithm: 'test' } });
  await reopened.loadIndex();
  assert.is((await reopened.loadBlob('data', sha256Hex(big))).equals(big), true);
  const wrong = await rejects(Repository.open(new LocalBackend(dir), 'wrong password'), /does not open any key/);
  assert.is((wrong as { errorId?: string }).errorId, 'OfflineSeed.WrongPassword');
});

test('we open a repository restic created and read its snapshot, index and blobs', async () => {
  const dir = join(tmp, 'theirs');
  const src = join(tmp, 'src');
  execFileSync('mkdir', ['-p', src]);
  execFileSync('sh', ['-c', `printf 'hello restic\\n' > ${src}/hello.txt && head -c 3000000 /dev/urandom > ${src}/random.bin`]);
  restic(dir, 'init', '--repository-version', '2');
  restic(dir, 'backup', '--host', 'oracle', src);
  const repo = await Repository.open(new LocalBackend(dir), PASSWORD);
  assert.is(repo.config.version, 2);
  assert.is(repo.config.offlineseed, undefined);
  await repo.loadIndex();
  const latest = await repo.findSnapshot('latest');
  assert.is(latest.snapshot.hostname, 'oracle');
  assert.equal(latest.snapshot.paths, [src]);
  const root = JSON.parse((await repo.loadBlob('tree', latest.snapshot.tree)).toString()) as { nodes: { name: string }[] };
  assert.is(root.nodes[0]!.name, 'tmp');
  assert.ok(repo.index.size >= 3);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
