/**
 * The general PrepImport mode: any folder or file to container/prefix/ or container/blob, as block or
 * page blobs, with dispositions, metadata and properties files; names Windows or Azure would refuse
 * are refused first; the service's rename rule.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextFreeBlobName, renamedBlobName } from '../../engine/drive/driveNames.ts';
import { runEngine } from '../helpers/engine.ts';
import { seededBytes } from '../helpers/fixtures.ts';
import { lastErrorId, listing, MiB, resultOf, treeHashes } from './fixtures.ts';
import { checkManifestFile, readXml } from './manifestRules.ts';

const work = mkdtempSync('/var/tmp/offlineseed-drive-import-');
const journals = join(work, 'journals');
let driveCount = 0;

function newDrive(): string {
  const d = join(work, `drive-${++driveCount}`);
  mkdirSync(d);
  return d;
}

function tree(name: string, files: Record<string, Buffer | string>): string {
  const root = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const photos = tree('photos', {
  'a.jpg': seededBytes(1, 300_000),
  'empty.txt': '',
  'exact-4MiB.bin': seededBytes(2, 4 * MiB),
  'four-plus-one.bin': seededBytes(3, 4 * MiB + 1),
  'big/fifty.bin': seededBytes(4, 50 * MiB + 123),
  'Ärger & Freude/notes (1).txt': 'unicode, an ampersand and parentheses\n',
  'deep/er/still/x.log': 'x\n'.repeat(1000),
});

test('a folder goes to container/prefix/ as block blobs: every file, every rule of §3.6, the rename disposition by default', async () => {
  const drive = newDrive();
  const result = resultOf(await runEngine('drive.prepare', { source: photos, destination: 'photos/2026/', driveRoot: drive, driveId: 'IMP-1', sessionId: 'photos#1', journalPath: join(journals, 'IMP-1.jrn'), capacityBytes: 200 * MiB }));
  assert.is(result.state, 'Complete');
  assert.is(result.mode, 'import');
  assert.is(result.files, 7);
  const { problems, blobs } = checkManifestFile({ driveRoot: drive, driveId: 'IMP-1', containers: ['photos'], manifestHash: String(result.manifestHash) });
  assert.equal(problems, []);
  assert.equal(blobs.map((b) => b.blobPath).sort(), [
    'photos/2026/a.jpg', 'photos/2026/big/fifty.bin', 'photos/2026/deep/er/still/x.log', 'photos/2026/empty.txt', 'photos/2026/exact-4MiB.bin',
    'photos/2026/four-plus-one.bin', 'photos/2026/Ärger & Freude/notes (1).txt',
  ]);
  assert.is(blobs.find((b) => b.blobPath.endsWith('fifty.bin'))!.filePath, '\\photos#1\\big\\fifty.bin');
  const manifest = readFileSync(join(drive, 'DriveManifest.xml'), 'utf8');
  assert.is(manifest.match(/<ImportDisposition>rename<\/ImportDisposition>/g)!.length, 7);
  assert.match(manifest, /Ärger &amp; Freude/);
  assert.match(manifest, /<BlobList Id="photos#1#1">/);
  assert.equal([...treeHashes(join(drive, 'photos#1'), []).entries()].sort(), [...treeHashes(photos, []).entries()].sort());
  // 50 MiB + 123 bytes streams through the copy window: 13 blocks, the last one 2 MiB + 123 bytes.
  const fifty = readXml(manifest).kids[0]!.kids.find((k) => k.name === 'BlobList')!.kids.find((b) => b.kids[0]!.text.endsWith('fifty.bin'))!;
  const blocks = fifty.kids.find((k) => k.name === 'BlockList')!.kids;
  assert.is(blocks.length, 13);
  assert.is(blocks.at(-1)!.attrs['Length'], String(2 * MiB + 123));
  const emptyBlob = readXml(manifest).kids[0]!.kids.find((k) => k.name === 'BlobList')!.kids.find((b) => b.kids[0]!.text.endsWith('empty.txt'))!;
  assert.is(emptyBlob.kids.find((k) => k.name === 'BlockList')!.kids.length, 0);
});

test('one file to container/blob (overwrite) and to container/prefix/ (the file name is appended)', async () => {
  const file = join(photos, 'a.jpg');
  const drive = newDrive();
  const one = resultOf(await runEngine('drive.prepare', { source: file, destination: 'archive/2026/holiday.jpg', disposition: 'overwrite', driveRoot: drive, driveId: 'IMP-2', sessionId: 'single-1', journalPath: join(journals, 'IMP-2.jrn'), capacityBytes: 10 * MiB }));
  const { problems, blobs } = checkManifestFile({ driveRoot: drive, driveId: 'IMP-2', containers: ['archive'], manifestHash: String(one.manifestHash) });
  assert.equal(problems, []);
  assert.equal(blobs.map((b) => [b.blobPath, b.filePath]), [['archive/2026/holiday.jpg', '\\single-1\\a.jpg']]);
  assert.match(readFileSync(join(drive, 'DriveManifest.xml'), 'utf8'), /<ImportDisposition>overwrite<\/ImportDisposition>/);
  const drive2 = newDrive();
  const two = resultOf(await runEngine('drive.prepare', { source: file, destination: 'archive/in/', disposition: 'no-overwrite', driveRoot: drive2, driveId: 'IMP-3', sessionId: 'single-2', journalPath: join(journals, 'IMP-3.jrn'), capacityBytes: 10 * MiB }));
  const checked = checkManifestFile({ driveRoot: drive2, driveId: 'IMP-3', containers: ['archive'], manifestHash: String(two.manifestHash) });
  assert.equal(checked.problems, []);
  assert.equal(checked.blobs.map((b) => b.blobPath), ['archive/in/a.jpg']);
  const root = newDrive();
  const toRoot = resultOf(await runEngine('drive.prepare', { source: file, destination: '$root/', driveRoot: root, driveId: 'IMP-4', sessionId: 'root-1', journalPath: join(journals, 'IMP-4.jrn'), capacityBytes: 10 * MiB }));
  assert.equal(checkManifestFile({ driveRoot: root, driveId: 'IMP-4', containers: ['$root'], manifestHash: String(toRoot.manifestHash) }).blobs.map((b) => b.blobPath), ['$root/a.jpg']);
});

test('page blobs: 512-aligned files get ordered, 512-aligned page ranges of at most 4 MiB', async () => {
  const disks = tree('disks', { 'small.vhd': seededBytes(5, 512 * 7), 'disk.vhd': seededBytes(6, 9 * MiB + 512) });
  const drive = newDrive();
  const result = resultOf(await runEngine('drive.prepare', { source: disks, destination: 'vhds/', blobType: 'PageBlob', driveRoot: drive, driveId: 'IMP-5', sessionId: 'vhd-1', journalPath: join(journals, 'IMP-5.jrn'), capacityBytes: 64 * MiB }));
  const { problems, blobs } = checkManifestFile({ driveRoot: drive, driveId: 'IMP-5', containers: ['vhds'], manifestHash: String(result.manifestHash) });
  assert.equal(problems, []);
  assert.ok(blobs.every((b) => b.pageBlob));
  const manifest = readFileSync(join(drive, 'DriveManifest.xml'), 'utf8');
  assert.is(manifest.match(/<PageRange /g)!.length, 3 + 1);
  assert.not.match(manifest, /<BlockList/);
});

test('page blob alignment: a file that is not a multiple of 512 bytes is refused (never padded), and nothing is written', async () => {
  const odd = tree('odd-disks', { 'good.vhd': seededBytes(7, 1024), 'odd.vhd': seededBytes(8, 1000) });
  const drive = newDrive();
  const run = await runEngine('drive.prepare', { source: odd, destination: 'vhds/', blobType: 'PageBlob', driveRoot: drive, driveId: 'IMP-6', sessionId: 'vhd-2', journalPath: join(journals, 'IMP-6.jrn'), capacityBytes: 64 * MiB });
  assert.is(run.exitCode, 2);
  assert.is(lastErrorId(run), 'OfflineSeed.PageBlobNotAligned');
  assert.match(String(run.errors.at(-1)!.targetObject), /odd\.vhd$/);
  assert.equal(listing(drive), []);
  assert.equal(listing(journals).filter((p) => p.includes('IMP-6') || p.includes('vhd-2')), []);
});

test('metadata and properties files: validated, copied next to the session folder, named in the BlobList with their MD5', async () => {
  const metadata = join(work, 'metadata.xml');
  const properties = join(work, 'properties.xml');
  writeFileSync(metadata, '<?xml version="1.0" encoding="UTF-8"?>\n<Metadata>\n  <Owner>backup team</Owner>\n  <Retention_days>90</Retention_days>\n</Metadata>\n');
  writeFileSync(properties, '<Properties><Content-Type>application/octet-stream</Content-Type><Cache-Control>no-cache</Cache-Control></Properties>');
  const drive = newDrive();
  const result = resultOf(await runEngine('drive.prepare', { source: join(photos, 'deep'), destination: 'logs/', metadataFile: metadata, propertiesFile: properties, driveRoot: drive, driveId: 'IMP-7', sessionId: 'meta-1', journalPath: join(journals, 'IMP-7.jrn'), capacityBytes: 10 * MiB }));
  assert.equal(checkManifestFile({ driveRoot: drive, driveId: 'IMP-7', containers: ['logs'], manifestHash: String(result.manifestHash) }).problems, []);
  const list = readXml(readFileSync(join(drive, 'DriveManifest.xml'), 'utf8')).kids[0]!.kids.find((k) => k.name === 'BlobList')!;
  const md5 = (p: string): string => createHash('md5').update(readFileSync(p)).digest('hex').toUpperCase();
  assert.equal(list.kids.slice(0, 2).map((k) => [k.name, k.text, k.attrs['Hash']]), [
    ['MetadataPath', '\\meta-1.meta\\metadata.xml', md5(metadata)],
    ['PropertiesPath', '\\meta-1.meta\\properties.xml', md5(properties)],
  ]);
  assert.equal(readFileSync(join(drive, 'meta-1.meta', 'metadata.xml')), readFileSync(metadata));
});

const badMeta: [string, string, string, string][] = [
  ['a metadata name starting with a digit', 'metadataFile', '<Metadata><1abc>x</1abc></Metadata>', 'OfflineSeed.InvalidMetadataFile'],
  ['a duplicate metadata name', 'metadataFile', '<Metadata><Owner>a</Owner><owner>b</owner></Metadata>', 'OfflineSeed.InvalidMetadataFile'],
  ['a metadata file that is not XML', 'metadataFile', '<Metadata><Owner>a</Metadata>', 'OfflineSeed.InvalidMetadataFile'],
  ['an export-only property', 'propertiesFile', '<Properties><Content-Length>5</Content-Length></Properties>', 'OfflineSeed.InvalidPropertiesFile'],
  ['an unknown property', 'propertiesFile', '<Properties><Colour>blue</Colour></Properties>', 'OfflineSeed.InvalidPropertiesFile'],
];
for (const [what, param, content, errorId] of badMeta) {
  test(`${what} is refused with ${errorId} before anything is written`, async () => {
    const file = join(work, `bad-${errorId}-${what.length}.xml`);
    writeFileSync(file, content);
    const drive = newDrive();
    const run = await runEngine('drive.prepare', { source: join(photos, 'deep'), destination: 'logs/', [param]: file, driveRoot: drive, driveId: 'IMP-8', sessionId: 'bad-meta', journalPath: join(journals, 'IMP-8.jrn'), capacityBytes: 10 * MiB });
    assert.is(run.exitCode, 2);
    assert.is(lastErrorId(run), errorId);
    assert.equal(listing(drive), []);
  });
}

const badNames: [string, Record<string, string>, string, string][] = [
  ['a colon in a file name', { 'ok.txt': 'x', 'a:b.txt': 'x' }, 'photos/', 'OfflineSeed.InvalidFileName'],
  ['a trailing dot', { 'name.': 'x' }, 'photos/', 'OfflineSeed.InvalidFileName'],
  ['a reserved device name', { 'sub/CON.txt': 'x' }, 'photos/', 'OfflineSeed.InvalidFileName'],
  ['a subfolder for the root container', { 'sub/x.txt': 'x' }, '$root/', 'OfflineSeed.InvalidFileName'],
  ['a destination without a container', { 'x.txt': 'x' }, 'photos', 'OfflineSeed.InvalidDestination'],
  ['an invalid container name', { 'x.txt': 'x' }, 'Photos/', 'OfflineSeed.InvalidDestination'],
  ['a folder to a single blob', { 'x.txt': 'x' }, 'photos/one-blob', 'OfflineSeed.InvalidDestination'],
];
badNames.forEach(([what, files, destination, errorId], i) => {
  test(`${what} is refused with ${errorId}, nothing written`, async () => {
    const source = tree(`bad-names-${i}`, files);
    const drive = newDrive();
    const run = await runEngine('drive.prepare', { source, destination, driveRoot: drive, driveId: 'IMP-9', sessionId: `bad-${i}`, journalPath: join(journals, `bad-${i}.jrn`), capacityBytes: 10 * MiB });
    assert.is(run.exitCode, 2, JSON.stringify(run.errors));
    assert.is(lastErrorId(run), errorId);
    assert.equal(listing(drive), []);
  });
});

test('an import session spans drives too, and the same session with another destination is refused', async () => {
  const d1 = newDrive();
  const d2 = newDrive();
  const base = { source: photos, destination: 'photos/span/', sessionId: 'span-imp', capacityBytes: 56 * MiB };
  const small = await runEngine('drive.prepare', { ...base, capacityBytes: 40 * MiB, driveRoot: d1, driveId: 'IMP-S1', journalPath: join(journals, 'span', 'IMP-S1.jrn') });
  assert.is(lastErrorId(small), 'OfflineSeed.FileLargerThanDrive', 'a file is never split: 50 MiB does not go on a 40 MiB drive');
  assert.match(String(small.errors.at(-1)!.targetObject), /fifty\.bin$/);
  assert.equal(listing(d1), []);
  const r1 = resultOf(await runEngine('drive.prepare', { ...base, driveRoot: d1, driveId: 'IMP-S1', journalPath: join(journals, 'span', 'IMP-S1.jrn') }));
  assert.is(r1.state, 'NeedsNextDrive');
  const wrong = await runEngine('drive.prepare', { ...base, destination: 'photos/other/', driveRoot: d2, driveId: 'IMP-S2', journalPath: join(journals, 'span', 'IMP-S2.jrn') });
  assert.is(lastErrorId(wrong), 'OfflineSeed.SessionMismatch');
  assert.equal(listing(d2), []);
  const r2 = resultOf(await runEngine('drive.prepare', { ...base, capacityBytes: 100 * MiB, driveRoot: d2, driveId: 'IMP-S2', journalPath: join(journals, 'span', 'IMP-S2.jrn') }));
  assert.is(r2.state, 'Complete');
  const total = [...treeHashes(photos, []).keys()].reduce((n, p) => n + statSync(join(photos, p)).size, 0);
  assert.is((r1.bytes as number) + (r2.bytes as number), total);
  assert.is((r1.files as number) + (r2.files as number), 7);
});

test('the rename disposition\'s naming rule: " (n)" before the last dot of the last segment, or appended', () => {
  assert.is(renamedBlobName('Seattle.jpg', 2), 'Seattle (2).jpg');
  assert.is(renamedBlobName('BlobNameWithoutDot', 2), 'BlobNameWithoutDot (2)');
  assert.is(renamedBlobName('pictures/city/Seattle.jpg', 3), 'pictures/city/Seattle (3).jpg');
  assert.is(renamedBlobName('archive.tar.gz', 2), 'archive.tar (2).gz');
  assert.is(renamedBlobName('v1.2/readme', 2), 'v1.2/readme (2)');
  assert.throws(() => renamedBlobName('a', 1));
  const existing = new Set(['Seattle.jpg', 'Seattle (2).jpg', 'Seattle (3).jpg']);
  assert.is(nextFreeBlobName('Seattle.jpg', (n) => existing.has(n)), 'Seattle (4).jpg');
  assert.is(nextFreeBlobName('Portland.jpg', (n) => existing.has(n)), 'Portland.jpg');
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
