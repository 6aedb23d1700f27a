/** The drive modules on their own: SIMD MD5 lanes, names, keys, manifest sizes and round trip, first-fit, XML. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bitLockerKeyProblem } from '../../engine/drive/bitLocker.ts';
import { driveIdProblem, parseDestination, sessionIdFromJobName, sessionIdProblem } from '../../engine/drive/driveNames.ts';
import { FolderSyncs } from '../../engine/drive/folderSyncs.ts';
import { blobXmlSize, manifestFrameSize, parseManifest, writeManifest, type ManifestBlob } from '../../engine/drive/manifest.ts';
import { createMd5Lanes, md5ModuleBytes } from '../../engine/drive/md5Lanes.ts';
import { allocation, fillDrive, manifestReserve, type SourceFile } from '../../engine/drive/plan.ts';
import { parseXml } from '../../engine/drive/xml.ts';
import { bitLockerKey } from './fixtures.ts';

test('SIMD MD5 lanes equal node:crypto for every length class, 1 to 4 groups, many ranges at once', () => {
  for (const groups of [1, 2, 3, 4]) {
    const lanes = createMd5Lanes(8 << 20, 'simd', { groups });
    assert.is(lanes.backend, 'simd');
    const lengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 4095, 4096, 65_537, 1 << 20, 3 * (1 << 20) + 13];
    let at = lanes.dataOffset;
    const ranges = lengths.map((length) => {
      lanes.bytes.set(randomBytes(length), at);
      const r = { offset: at, length };
      at += length + 3;
      return r;
    });
    const got = lanes.digest([...ranges, ...ranges.slice(0, 5)]);
    [...ranges, ...ranges.slice(0, 5)].forEach((r, i) => {
      const want = createHash('md5').update(lanes.bytes.subarray(r.offset, r.offset + r.length)).digest();
      assert.ok(want.equals(got[i]!), `groups ${groups}, length ${r.length}`);
    });
  }
  assert.ok(md5ModuleBytes({ groups: 3 }).length < 64 * 1024);
  const fallback = createMd5Lanes(1 << 20, 'node');
  assert.is(fallback.backend, 'node');
  fallback.bytes.set(Buffer.from('abc'), fallback.dataOffset);
  assert.is(fallback.digest([{ offset: fallback.dataOffset, length: 3 }])[0]!.toString('hex'), '900150983cd24fb0d6963f7d28e17f72');
});

test('folder syncs: each folder once its last planned file lands, the folders above and unfinished ones at the end', async () => {
  const synced: string[] = [];
  const root = '/drive/session';
  const targets = ['/drive/session/config', '/drive/session/keys/k1', '/drive/session/data/00/a', '/drive/session/data/00/b', '/drive/session/data/01/c'];
  const folders = new FolderSyncs(targets, root, async (folder) => {
    synced.push(folder);
  });
  folders.fileLanded('/drive/session/data/00/a');
  assert.equal(synced, [], 'data/00 still waits for b');
  folders.fileLanded('/drive/session/data/00/b');
  assert.equal(synced, ['/drive/session/data/00']);
  folders.fileLanded('/drive/session/keys/k1');
  assert.equal(synced, ['/drive/session/data/00', '/drive/session/keys']);
  // config and data/01/c never land (a copy cut short): their folders are synced at the end all the same.
  await folders.finish();
  assert.equal([...synced].sort(), ['/drive/session', '/drive/session/data', '/drive/session/data/00', '/drive/session/data/01', '/drive/session/keys']);
  assert.is(synced.filter((f) => f === '/drive/session/data/00').length, 1, 'a folder synced during the copy is not synced again');
});

test('BitLocker recovery passwords: the rules, and reasons that never repeat the digits', () => {
  for (let i = 0; i < 50; i++) assert.is(bitLockerKeyProblem(bitLockerKey(i)), undefined);
  assert.is(bitLockerKeyProblem('000000-000000-000000-000000-000000-000000-000000-720885'), undefined);
  assert.match(bitLockerKeyProblem('000000-000000-000000-000000-000000-000000-000000-720897')!, /group 8 is not a multiple of 11/);
  assert.match(bitLockerKeyProblem('000000-000000-000000-000000-000000-000000-000000-720896')!, /group 8 is not below 720896/);
  assert.match(bitLockerKeyProblem('000000-000000-000000-000000-000000-000000-000000-720907')!, /group 8 is not below 720896/);
  assert.match(bitLockerKeyProblem('000001-000000-000000-000000-000000-000000-000000-000000')!, /group 1 is not a multiple/);
  assert.not.match(bitLockerKeyProblem('123456-000000-000000-000000-000000-000000-000000-000000')!, /123456/);
});

test('drive ids, session ids and destinations', () => {
  assert.is(driveIdProblem('WD-WCC7K1234567'), undefined);
  assert.is(driveIdProblem('S3Z9NB0K123456X_1.2'), undefined);
  for (const bad of ['', 'a b', 'a\tb', 'a/b', 'x'.repeat(65), '..']) assert.ok(driveIdProblem(bad) !== undefined, bad);
  assert.is(sessionIdProblem('seed-1'), undefined);
  assert.is(sessionIdProblem('session#1_a'), undefined);
  for (const bad of ['ab', 'x'.repeat(31), 'a b c', 'a.b.c', 'ä-b-c']) assert.ok(sessionIdProblem(bad) !== undefined, bad);
  assert.is(sessionIdFromJobName('fs01-seed'), 'fs01-seed');
  assert.is(sessionIdFromJobName('ab'), 'ab-s1');
  assert.is(sessionIdFromJobName(`a${'-b'.repeat(40)}`).length <= 30, true);
  assert.is(sessionIdProblem(sessionIdFromJobName(`a${'-b'.repeat(40)}`)), undefined);
  assert.equal(parseDestination('photos/'), { container: 'photos', prefix: '' });
  assert.equal(parseDestination('photos/2026/june/'), { container: 'photos', prefix: '2026/june' });
  assert.equal(parseDestination('photos/2026/a.jpg'), { container: 'photos', prefix: '', blob: '2026/a.jpg' });
  assert.equal(parseDestination('$root/a.jpg'), { container: '$root', prefix: '', blob: 'a.jpg' });
  for (const bad of ['photos', '/photos/', 'Photos/', 'ph/', 'photos/a//b/', 'photos/../x', '$root/a/b', '$root/dir/']) assert.type(parseDestination(bad), 'string', bad);
});

test('the manifest size is known exactly before writing, and the written manifest reads back', async () => {
  const dir = mkdtempSync('/var/tmp/offlineseed-drive-units-');
  try {
    const blobs: ManifestBlob[] = [
      { blobPath: 'c1/a & b <x>.txt', filePath: '\\s-1\\a & b <x>.txt', length: 0, blobType: 'BlockBlob', disposition: 'rename', hashes: [] },
      { blobPath: 'c1/big', filePath: '\\s-1\\big', length: 4 * 1024 * 1024 * 2 + 5, blobType: 'BlockBlob', disposition: 'overwrite', hashes: ['A'.repeat(32), 'B'.repeat(32), 'C'.repeat(32)] },
      { blobPath: 'c1/disk.vhd', filePath: '\\s-1\\disk.vhd', length: 1024, blobType: 'PageBlob', disposition: 'no-overwrite', hashes: ['D'.repeat(32)] },
    ];
    const list = { id: 's-1#1', metadata: { path: '\\s-1.meta\\metadata.xml', hash: 'E'.repeat(32) } };
    const manifest = { driveId: 'D-1', clientCreator: 'OfflineSeed test', blobLists: [{ ...list, blobs }] };
    const expected = manifestFrameSize(manifest, [list]) + blobs.reduce((n, b) => n + blobXmlSize(b), 0);
    const written = await writeManifest(dir, manifest);
    const bytes = readFileSync(join(dir, 'DriveManifest.xml'));
    assert.is(written.bytes, expected);
    assert.is(bytes.length, expected);
    assert.is(written.hash, createHash('md5').update(bytes).digest('hex').toUpperCase());
    const back = parseManifest(bytes.toString('utf8'));
    assert.equal(back, manifest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('first-fit fills a drive in order, skipping what does not fit and taking later files that do', () => {
  const file = (path: string, length: number): SourceFile => ({ source: path, path, blobPath: `c/${path}`, filePath: `\\s\\${path}`, length, blobType: 'BlockBlob', disposition: 'rename', manifestBytes: 300 });
  const files = [file('a', 4000), file('b', 30000), file('c', 100), file('d', 5000)];
  const budget = allocation(4000) + allocation(100) + allocation(5000) + manifestReserve(1000 + 3 * 300);
  const fill = fillDrive(files, budget, 0, 1000);
  assert.equal(fill.taken.map((f) => f.path), ['a', 'c', 'd']);
  assert.is(allocation(1), 4096 + 1024);
  assert.is(allocation(0), 1024);
});

test('the XML reader refuses what is not well-formed, and decodes entities', () => {
  assert.is(parseXml('<a x="1 &amp; 2">&lt;b&gt; &#65;&#x42;</a>').text, '<b> AB');
  for (const bad of ['<a>', '<a></b>', '<a x=1/>', '<a>&bogus;</a>', '<a/><b/>', '<!DOCTYPE a><a/>', '<a>x & y</a>']) assert.throws(() => parseXml(bad), bad);
});

test.run();
