/**
 * The whole import lifecycle in the test world: the real @azure/arm-storageimportexport SDK over
 * HTTPS creates and ships the job, the simulated datacenter imports a hand-made drive into Azurite
 * (HTTPS, OAuth) through the real @azure/storage-blob SDK, and the results are read back through
 * both SDKs: states, percentages, DriveLog logs, blob contents, faults.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DriveStatus } from '@azure/arm-storageimportexport';
import { BlobServiceClient } from '@azure/storage-blob';
import { recoveryPassword } from './armModel.ts';
import { nodeExecutable, repoRoot } from './azurite.ts';
import { REHEARSAL_BITLOCKER_KEY_FILE, REHEARSAL_FILESYSTEM_FILE, createDatacenter, type ArrivingDrive, type DatacenterStep } from './datacenter.ts';
import { md5Upper, writeDrive, type FixtureFile, type WrittenDrive } from './driveFixture.ts';
import { RETURN_ADDRESS, RETURN_SHIPPING } from './harness.ts';
import { childElement, childElements, childText, parseXml, type XmlElement } from './xml.ts';
import { STORAGE_SCOPE, startWorld, type World } from './world.ts';

const MiB = 1024 * 1024;

/** Deterministic pseudo-random bytes. */
function bytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

let world: World;
let stepHook: ((step: DatacenterStep) => Promise<void>) | undefined;
test.before(async () => {
  world = await startWorld({ datacenter: { onStep: (s) => stepHook?.(s) } });
});
test.after.each(() => {
  stepHook = undefined;
});
test.after(async () => {
  await world?.stop();
});

interface JobDrive {
  written: WrittenDrive;
  key: string;
}

async function createAndShip(name: string, driveList: JobDrive[], extra: Record<string, unknown> = {}): Promise<void> {
  const client = world.importExportClient();
  await client.jobs.create(name, world.resourceGroupName, {
    location: 'West US',
    properties: {
      storageAccountId: world.storageAccountId(),
      jobType: 'Import',
      returnAddress: RETURN_ADDRESS,
      returnShipping: RETURN_SHIPPING,
      diagnosticsPath: 'waimportexport',
      logLevel: 'Error',
      backupDriveManifest: false,
      driveList: driveList.map((d) => ({
        driveId: d.written.driveId,
        bitLockerKey: d.key,
        manifestFile: d.written.manifestFile,
        manifestHash: d.written.manifestHash,
        driveHeaderHash: '',
      })) as DriveStatus[],
      ...extra,
    },
  });
  await client.jobs.update(name, world.resourceGroupName, {
    state: 'Shipping',
    deliveryPackage: { carrierName: 'FedEx', trackingNumber: `TRK-${name}`, driveCount: driveList.length, shipDate: '2026-11-21' },
  });
}

/** Reads a blob named by its URL (as the job's log URIs give it) through the Shared Key client. */
async function downloadUrl(url: string): Promise<Buffer> {
  const parts = new URL(url).pathname.split('/').slice(1).map(decodeURIComponent);
  const [, container, ...name] = parts;
  return world.blobService().getContainerClient(container!).getBlobClient(name.join('/')).downloadToBuffer();
}

async function blobExists(blobPath: string): Promise<boolean> {
  const slash = blobPath.indexOf('/');
  return world.blobService().getContainerClient(blobPath.slice(0, slash)).getBlobClient(blobPath.slice(slash + 1)).exists();
}

async function download(blobPath: string): Promise<Buffer> {
  const slash = blobPath.indexOf('/');
  return world.blobService().getContainerClient(blobPath.slice(0, slash)).getBlobClient(blobPath.slice(slash + 1)).downloadToBuffer();
}

function logBlobs(log: XmlElement): XmlElement[] {
  return childElements(log, 'Blob');
}

function fixture(name: string, driveId: string, files: FixtureFile[], key = recoveryPassword(driveId.length * 7 + files.length)): JobDrive {
  return { written: writeDrive(join(world.tmpDir, name), { driveId, bitLockerKey: key, files }), key };
}

test('lifecycle: create → Shipping → datacenter import of a hand-written manifest → Completed, blobs equal, logs written', async () => {
  // The drive, with a manifest written by hand after the §3.6 example, independent of any writer.
  const root = join(world.tmpDir, 'drive-hand');
  const driveId = '9CA995BB';
  const key = recoveryPassword(42);
  const pack = bytes(1, 9 * MiB + 123);
  const config = Buffer.from('{"version":2,"id":"seed"}\n');
  const vhd = Buffer.alloc(MiB);
  bytes(2, 4096).copy(vhd, 0);
  bytes(3, 1024).copy(vhd, 512 * 1024);
  const meta = '<?xml version="1.0" encoding="utf-8"?>\r\n<Metadata>\r\n  <seed>fs01</seed>\r\n  <job>lifecycle</job>\r\n</Metadata>\r\n';
  const props = '<?xml version="1.0" encoding="utf-8"?>\r\n<Properties>\r\n  <Content-Type>application/json</Content-Type>\r\n  <Cache-Control>no-cache</Cache-Control>\r\n</Properties>\r\n';
  const files: [string, Buffer | string][] = [
    ['session1/repo/data/00/pack1', pack],
    ['session1/repo/config', config],
    ['session1/disk.vhd', vhd],
    ['session1/config.meta.xml', meta],
    ['session1/config.props.xml', props],
  ];
  for (const [path, content] of files) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  writeFileSync(join(root, REHEARSAL_BITLOCKER_KEY_FILE), key);
  const block = (data: Buffer, offset: number, length: number): string => `<Block Offset="${offset}" Length="${length}" Hash="${md5Upper(data.subarray(offset, offset + length))}" />`;
  const page = (data: Buffer, offset: number, length: number): string => `<PageRange Offset="${offset}" Length="${length}" Hash="${md5Upper(data.subarray(offset, offset + length))}" />`;
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<DriveManifest Version="2014-11-01">
  <Drive>
    <DriveId>${driveId}</DriveId>
    <ClientCreator>lifecycle test</ClientCreator>
    <BlobList Id="session#1-0">
      <Blob>
        <BlobPath>seed/repo/data/00/pack1</BlobPath>
        <FilePath>\\session1\\repo\\data\\00\\pack1</FilePath>
        <Length>${pack.length}</Length>
        <ImportDisposition>rename</ImportDisposition>
        <BlockList>${block(pack, 0, 4 * MiB)}${block(pack, 4 * MiB, 4 * MiB)}${block(pack, 8 * MiB, MiB + 123)}</BlockList>
      </Blob>
      <Blob>
        <BlobPath>seed/repo/config</BlobPath>
        <FilePath>\\session1\\repo\\config</FilePath>
        <Length>${config.length}</Length>
        <BlockList><Block Offset="0" Length="${config.length}" Id="${Buffer.from('block-0').toString('base64')}" Hash="${md5Upper(config)}" /></BlockList>
        <MetadataPath Hash="${md5Upper(meta)}">\\session1\\config.meta.xml</MetadataPath>
        <PropertiesPath Hash="${md5Upper(props)}">\\session1\\config.props.xml</PropertiesPath>
      </Blob>
      <Blob>
        <BlobPath>seed/disk.vhd</BlobPath>
        <FilePath>\\session1\\disk.vhd</FilePath>
        <Length>${vhd.length}</Length>
        <ImportDisposition>overwrite</ImportDisposition>
        <PageRangeList>${page(vhd, 0, 4096)}${page(vhd, 512 * 1024, 1024)}</PageRangeList>
      </Blob>
    </BlobList>
  </Drive>
</DriveManifest>
`;
  writeFileSync(join(root, 'DriveManifest.xml'), manifest);
  const written: WrittenDrive = { root, driveId, manifestFile: '\\DriveManifest.xml', manifestHash: md5Upper(manifest), manifestXml: manifest };

  await createAndShip('lifecycle', [{ written, key }], { logLevel: 'Verbose', backupDriveManifest: true });
  const client = world.importExportClient();
  assert.is((await client.jobs.get('lifecycle', world.resourceGroupName)).properties?.state, 'Shipping');

  const seen: string[] = [];
  stepHook = async (step) => {
    if (step.kind === 'job') seen.push(step.state);
    if (step.kind === 'blob' && step.blob.blobPath === 'seed/repo/config') {
      // Mid-copy, a client sees Transferring with progress.
      const job = await client.jobs.get('lifecycle', world.resourceGroupName);
      assert.is(job.properties?.state, 'Transferring');
      const drive = job.properties?.driveList?.[0];
      assert.is(drive?.state, 'Transferring');
      assert.is(drive?.copyStatus, 'InProgress');
      assert.ok((drive?.percentComplete ?? 0) > 50 && (drive?.percentComplete ?? 0) < 100, `percent ${drive?.percentComplete}`);
      seen.push('checked mid-copy');
    }
  };
  const report = await world.datacenter.process(world.jobRef('lifecycle'), [{ driveId, root }]);
  assert.is(report.finalState, 'Completed', JSON.stringify(report.drives.map((d) => [d.status, d.reason, d.blobs.map((b) => b.reason)])));
  assert.equal(seen, ['Received', 'Transferring', 'checked mid-copy', 'Packaging', 'Completed']);

  const job = await client.jobs.get('lifecycle', world.resourceGroupName);
  const p = job.properties!;
  assert.is(p.state, 'Completed');
  assert.is(p.percentComplete, 100);
  assert.is(p.returnPackage?.carrierName, 'FedEx');
  assert.is(p.returnPackage?.driveCount, 1);
  const drive = p.driveList![0]!;
  assert.is(drive.state, 'Completed');
  assert.is(drive.copyStatus, 'Completed');
  assert.is(drive.percentComplete, 100);
  assert.is(drive.bytesSucceeded, pack.length + config.length + 4096 + 1024);
  assert.is(drive.errorLogUri, undefined, 'no error log for a clean drive');
  assert.match(drive.verboseLogUri ?? '', new RegExp(`/seedstore/waimportexport/waies/lifecycle_${driveId}_\\d{8}-\\d{6}-\\d{3}_verbose\\.xml$`));
  assert.match(drive.manifestUri ?? '', /_manifest\.xml$/);

  assert.ok((await download('seed/repo/data/00/pack1')).equals(pack));
  assert.ok((await download('seed/repo/config')).equals(config));
  assert.ok((await download('seed/disk.vhd')).equals(vhd), 'page blob: written ranges and zero holes');
  const configProps = await world.blobService().getContainerClient('seed').getBlobClient('repo/config').getProperties();
  assert.is(configProps.contentType, 'application/json');
  assert.is(configProps.cacheControl, 'no-cache');
  assert.equal(configProps.metadata, { seed: 'fs01', job: 'lifecycle' });
  assert.is(configProps.blobType, 'BlockBlob');
  const blocks = await world.blobService().getContainerClient('seed').getBlockBlobClient('repo/data/00/pack1').getBlockList('committed');
  assert.equal(blocks.committedBlocks?.map((b) => b.size), [4 * MiB, 4 * MiB, MiB + 123], 'one block per manifest block');
  assert.is((await world.blobService().getContainerClient('seed').getBlobClient('disk.vhd').getProperties()).blobType, 'PageBlob');

  const verbose = parseXml((await downloadUrl(drive.verboseLogUri!)).toString('utf8'));
  assert.is(verbose.name, 'DriveLog');
  assert.is(verbose.attributes.Version, '2014-11-01');
  assert.is(childText(verbose, 'DriveId'), driveId);
  assert.is(childText(verbose, 'Status'), 'Completed');
  assert.equal(logBlobs(verbose).map((b) => [childText(b, 'BlobPath'), b.attributes.Status]), [
    ['seed/repo/data/00/pack1', 'Completed'], ['seed/repo/config', 'Completed'], ['seed/disk.vhd', 'Completed'],
  ]);
  const packBlocks = childElements(childElement(logBlobs(verbose)[0]!, 'BlockList')!, 'Block');
  assert.equal(packBlocks.map((b) => b.attributes.Status), ['Completed', 'Completed', 'Completed']);
  assert.is(childElement(logBlobs(verbose)[1]!, 'ImportDisposition')?.attributes.Status, 'Created');
  assert.is(childElement(logBlobs(verbose)[1]!, 'Metadata')?.attributes.Status, 'Completed');
  assert.is((await downloadUrl(drive.manifestUri!)).toString('utf8'), manifest, 'manifest backup is the manifest');
});

test('a corrupted block: drive CompletedMoreInfo, job Closed, the error log lists the failed blob; the other blobs land', async () => {
  const big = bytes(11, 5 * MiB);
  const small = Buffer.from('small file\n');
  const drive = fixture('drive-corrupt', 'WD-CORRUPT1', [
    { filePath: '\\s1\\big.bin', blobPath: 'corrupt/big.bin', content: big },
    { filePath: '\\s1\\small.txt', blobPath: 'corrupt/small.txt', content: small },
  ]);
  await createAndShip('corrupt', [drive]);
  const report = await world.datacenter.process(world.jobRef('corrupt'), [{
    driveId: drive.written.driveId,
    root: drive.written.root,
    faults: { corruptBytes: [{ filePath: '\\s1\\big.bin', offset: 1000 }] },
  }]);
  assert.is(report.finalState, 'Closed');
  const job = await world.importExportClient().jobs.get('corrupt', world.resourceGroupName);
  assert.is(job.properties?.state, 'Closed');
  const d = job.properties!.driveList![0]!;
  assert.is(d.state, 'CompletedMoreInfo');
  assert.is(d.copyStatus, 'CompletedWithErrors');
  assert.is(d.bytesSucceeded, small.length);
  assert.ok(d.errorLogUri, 'error log URI set');
  const log = parseXml((await downloadUrl(d.errorLogUri!)).toString('utf8'));
  assert.is(childText(log, 'Status'), 'CompletedWithErrors');
  const failed = logBlobs(log);
  assert.equal(failed.map((b) => childText(b, 'BlobPath')), ['corrupt/big.bin'], 'only the failed blob is in the error log');
  assert.is(failed[0]!.attributes.Status, 'CompletedWithErrors');
  assert.is(childText(failed[0]!, 'FilePath'), '\\s1\\big.bin');
  assert.equal(childElements(childElement(failed[0]!, 'BlockList')!, 'Block').map((b) => [b.attributes.Offset, b.attributes.Status]), [['0', 'Corrupted'], ['4194304', 'Cancelled']]);
  assert.is(childElement(failed[0]!, 'ImportDisposition')?.attributes.Status, 'Cancelled');
  assert.not.ok(await blobExists('corrupt/big.bin'), 'a block blob with a bad block is not committed');
  assert.ok((await download('corrupt/small.txt')).equals(small));
});

test("closeJobOn 'driveFailure': blob errors leave the job Completed with a CompletedMoreInfo drive", async () => {
  const lenient = createDatacenter({ emulator: world.emulator, storage: world.blobService, closeJobOn: 'driveFailure' });
  const content = bytes(12, 2048);
  const drive = fixture('drive-lenient', 'WD-LENIENT1', [{ filePath: '\\a.bin', blobPath: 'lenient/a.bin', content, kind: 'PageBlob' }]);
  await createAndShip('lenient', [drive]);
  const report = await lenient.process(world.jobRef('lenient'), [{ driveId: drive.written.driveId, root: drive.written.root, faults: { corruptBytes: [{ filePath: '\\a.bin', offset: 5 }] } }]);
  assert.is(report.finalState, 'Completed');
  const d = (await world.importExportClient().jobs.get('lenient', world.resourceGroupName)).properties!.driveList![0]!;
  assert.is(d.state, 'CompletedMoreInfo');
  assert.is(d.copyStatus, 'CompletedWithErrors');
  // A page blob keeps what was written before the failure (here: nothing, the first range was bad).
  assert.ok(await blobExists('lenient/a.bin'));
});

test('a wrong BitLocker key: the drive is not copied (BitLockerKeyInvalid), job Closed; expectedBitLockerKey stands in for the marker', async () => {
  const content = Buffer.from('locked away\n');
  const good = fixture('drive-key-ok', 'WD-KEYOK', [{ filePath: '\\ok.txt', blobPath: 'keys/ok.txt', content }], undefined);
  const locked = writeDrive(join(world.tmpDir, 'drive-key-bad'), { driveId: 'WD-KEYBAD', files: [{ filePath: '\\bad.txt', blobPath: 'keys/bad.txt', content }] });
  const lockedKey = recoveryPassword(7);
  await createAndShip('wrong-key', [good, { written: locked, key: lockedKey }], { diagnosticsPath: 'diag/seed-logs' });
  const arriving: ArrivingDrive[] = [
    { driveId: good.written.driveId, root: good.written.root },
    { driveId: 'WD-KEYBAD', root: locked.root, expectedBitLockerKey: recoveryPassword(8) },
  ];
  const report = await world.datacenter.process(world.jobRef('wrong-key'), arriving);
  assert.is(report.finalState, 'Closed');
  const drives = (await world.importExportClient().jobs.get('wrong-key', world.resourceGroupName)).properties!.driveList!;
  assert.equal(drives.map((d) => [d.driveId, d.state, d.copyStatus]), [['WD-KEYOK', 'Completed', 'Completed'], ['WD-KEYBAD', 'CompletedMoreInfo', 'BitLockerKeyInvalid']]);
  assert.is(drives[1]!.percentComplete, 0);
  assert.match(drives[1]!.errorLogUri ?? '', /\/seedstore\/diag\/seed-logs\/waies\/wrong-key_WD-KEYBAD_\d{8}-\d{6}-\d{3}_error\.xml$/, 'logs go under the diagnostics virtual directory');
  const log = parseXml((await downloadUrl(drives[1]!.errorLogUri!)).toString('utf8'));
  assert.is(childText(log, 'Status'), 'BitLockerKeyInvalid');
  assert.is(logBlobs(log).length, 0);
  assert.ok(await blobExists('keys/ok.txt'));
  assert.not.ok(await blobExists('keys/bad.txt'));
  // The same drive with the right key is accepted: the fault was the key, nothing else.
  const retry = createDatacenter({ emulator: world.emulator, storage: world.blobService });
  await createAndShip('right-key', [{ written: locked, key: lockedKey }]);
  assert.is((await retry.process(world.jobRef('right-key'), [{ driveId: 'WD-KEYBAD', root: locked.root, expectedBitLockerKey: lockedKey }])).finalState, 'Completed');
});

test('drive and blob faults, one per drive: missing file, manifest hash, DriveId, layout, NTFS, no BitLocker, wrong key, missing manifest, bad metadata, short file', async () => {
  const file = (name: string): FixtureFile => ({ filePath: `\\${name}.txt`, blobPath: `faults/${name}.txt`, content: Buffer.from(`${name}\n`) });
  const missing = fixture('f-missing', 'F-MISSING', [file('present'), file('absent')]);
  const hash = fixture('f-hash', 'F-HASH', [file('hash')]);
  const otherId = fixture('f-id', 'F-ID', [file('id')]);
  // Same folder, but its manifest names another drive (its hash is right, so only the DriveId check fails).
  const idManifest = writeDrive(otherId.written.root, { driveId: 'SOMEONE-ELSE', bitLockerKey: otherId.key, files: [file('id')] }).manifestHash;
  const layout = fixture('f-layout', 'F-LAYOUT', [{ ...file('layout'), content: bytes(5, 5 * MiB), blockSize: 5 * MiB }]);
  const fat = fixture('f-fat', 'F-FAT', [file('fat')]);
  writeFileSync(join(fat.written.root, REHEARSAL_FILESYSTEM_FILE), 'exFAT\n');
  const plain = writeDrive(join(world.tmpDir, 'f-plain'), { driveId: 'F-PLAIN', files: [file('plain')] });
  const wrong = fixture('f-wrong', 'F-WRONG', [file('wrong')]);
  const nomanifest = fixture('f-nomanifest', 'F-NOMANIFEST', [file('nomanifest')]);
  const meta = fixture('f-meta', 'F-META', [{ ...file('meta'), metadata: { owner: 'ops' } }]);
  writeFileSync(join(meta.written.root, 'meta', '0-metadata.xml'), '<Metadata><owner>someone else</owner></Metadata>');
  const short = fixture('f-short', 'F-SHORT', [{ ...file('short'), content: bytes(6, 3000), blockSize: 1024 }]);
  writeFileSync(join(short.written.root, 'short.txt'), bytes(6, 1500));
  const jobDrives: JobDrive[] = [
    missing,
    { ...hash, written: { ...hash.written, manifestHash: '0'.repeat(32) } },
    { ...otherId, written: { ...otherId.written, manifestHash: idManifest } },
    layout,
    fat,
    { written: plain, key: recoveryPassword(99) },
    wrong,
    nomanifest,
    meta,
    short,
  ];
  await createAndShip('faults', jobDrives);
  const report = await world.datacenter.process(world.jobRef('faults'), [
    { driveId: 'F-MISSING', root: missing.written.root, faults: { missingFiles: ['\\absent.txt'] } },
    { driveId: 'F-HASH', root: hash.written.root },
    { driveId: 'F-ID', root: otherId.written.root },
    { driveId: 'F-LAYOUT', root: layout.written.root },
    { driveId: 'F-FAT', root: fat.written.root },
    { driveId: 'F-PLAIN', root: plain.root },
    { driveId: 'F-WRONG', root: wrong.written.root, faults: { wrongBitLockerKey: true } },
    { driveId: 'F-NOMANIFEST', root: nomanifest.written.root, faults: { missingManifest: true } },
    { driveId: 'F-META', root: meta.written.root },
    { driveId: 'F-SHORT', root: short.written.root },
  ]);
  assert.is(report.finalState, 'Closed');
  const drives = (await world.importExportClient().jobs.get('faults', world.resourceGroupName)).properties!.driveList!;
  assert.equal(Object.fromEntries(drives.map((d) => [d.driveId, d.copyStatus])), {
    'F-MISSING': 'CompletedWithErrors',
    'F-HASH': 'ManifestCorrupted',
    'F-ID': 'ManifestDriveIdMismatch',
    'F-LAYOUT': 'BlobListFormatInvalid',
    'F-FAT': 'VolumeNotNtfs',
    'F-PLAIN': 'BitLockerVolumeNotFound',
    'F-WRONG': 'BitLockerKeyInvalid',
    'F-NOMANIFEST': 'ManifestNotFound',
    'F-META': 'CompletedWithErrors',
    'F-SHORT': 'CompletedWithErrors',
  });
  assert.ok(drives.every((d) => d.state === 'CompletedMoreInfo' && d.errorLogUri));
  const missingLog = parseXml((await downloadUrl(drives[0]!.errorLogUri!)).toString('utf8'));
  assert.equal(logBlobs(missingLog).map((b) => [childText(b, 'BlobPath'), b.attributes.Status]), [['faults/absent.txt', 'FileNotFound']]);
  assert.ok(await blobExists('faults/present.txt'));
  const metaLog = parseXml((await downloadUrl(drives.find((d) => d.driveId === 'F-META')!.errorLogUri!)).toString('utf8'));
  assert.is(childElement(logBlobs(metaLog)[0]!, 'Metadata')?.attributes.Status, 'Corrupted');
  const metaProps = await world.blobService().getContainerClient('faults').getBlobClient('meta.txt').getProperties();
  assert.equal(metaProps.metadata, {}, 'a metadata file that fails its MD5 is not applied; the data still lands');
  const shortLog = parseXml((await downloadUrl(drives.find((d) => d.driveId === 'F-SHORT')!.errorLogUri!)).toString('utf8'));
  assert.equal(childElements(childElement(logBlobs(shortLog)[0]!, 'BlockList')!, 'Block').map((b) => b.attributes.Status), ['Uncommitted', 'FileUnexpectedEnd', 'Cancelled'], 'staged but uncommitted, short, cancelled');
  for (const name of ['hash', 'id', 'layout', 'fat', 'plain', 'wrong', 'nomanifest']) assert.not.ok(await blobExists(`faults/${name}.txt`), name);
});

test('dispositions: rename adds " (2)" before the last dot, no-overwrite skips, overwrite replaces; warnings keep the job Completed', async () => {
  const container = world.blobService().getContainerClient('dispositions');
  await container.createIfNotExists();
  for (const name of ['photo.jpg', 'keep.txt', 'replace.txt', 'noext', 'dir.v1/file']) await container.getBlockBlobClient(name).upload('old', 3);
  const content = (s: string): Buffer => Buffer.from(`new ${s}`);
  const drive = fixture('drive-disp', 'WD-DISP', [
    { filePath: '\\photo.jpg', blobPath: 'dispositions/photo.jpg', content: content('photo'), disposition: 'rename' },
    { filePath: '\\keep.txt', blobPath: 'dispositions/keep.txt', content: content('keep'), disposition: 'no-overwrite' },
    { filePath: '\\replace.txt', blobPath: 'dispositions/replace.txt', content: content('replace'), disposition: 'overwrite' },
    { filePath: '\\noext', blobPath: 'dispositions/noext', content: content('noext') },
    { filePath: '\\file', blobPath: 'dispositions/dir.v1/file', content: content('file') },
    { filePath: '\\fresh.txt', blobPath: 'dispositions/fresh.txt', content: content('fresh'), disposition: 'no-overwrite' },
  ]);
  await createAndShip('dispositions', [drive]);
  const report = await world.datacenter.process(world.jobRef('dispositions'), [{ driveId: 'WD-DISP', root: drive.written.root }]);
  assert.is(report.finalState, 'Completed', 'renames and skips are warnings, not errors');
  const d = (await world.importExportClient().jobs.get('dispositions', world.resourceGroupName)).properties!.driveList![0]!;
  assert.is(d.state, 'CompletedMoreInfo');
  assert.is(d.copyStatus, 'CompletedWithWarnings');
  const text = async (name: string): Promise<string> => (await container.getBlobClient(name).downloadToBuffer()).toString();
  assert.is(await text('photo.jpg'), 'old');
  assert.is(await text('photo (2).jpg'), 'new photo');
  assert.is(await text('keep.txt'), 'old');
  assert.is(await text('replace.txt'), 'new replace');
  assert.is(await text('noext (2)'), 'new noext');
  assert.is(await text('dir.v1/file (2)'), 'new file', 'the dot of a directory is not an extension');
  assert.is(await text('fresh.txt'), 'new fresh');
  const log = parseXml((await downloadUrl(d.errorLogUri!)).toString('utf8'));
  assert.equal(logBlobs(log).map((b) => [childText(b, 'BlobPath'), childElement(b, 'ImportDisposition')?.attributes.Status]), [
    ['dispositions/photo (2).jpg', 'Renamed'], ['dispositions/keep.txt', 'Skipped'], ['dispositions/noext (2)', 'Renamed'], ['dispositions/dir.v1/file (2)', 'Renamed'],
  ]);
  assert.is(childText(log, 'Status'), 'CompletedWithWarnings');
});

test('a drive missing from the package is NeverReceived and the job ends Closed; the rest is imported', async () => {
  const one = fixture('drive-pkg-1', 'WD-PKG1', [{ filePath: '\\one.txt', blobPath: 'package/one.txt', content: Buffer.from('one') }]);
  const two = fixture('drive-pkg-2', 'WD-PKG2', [{ filePath: '\\two.txt', blobPath: 'package/two.txt', content: Buffer.from('two') }]);
  await createAndShip('package', [one, two]);
  const received = await world.datacenter.receivePackage(world.jobRef('package'), [
    { driveId: 'WD-PKG1', root: one.written.root },
    { driveId: 'WD-EXTRA', root: one.written.root },
  ]);
  assert.equal(received, { received: ['WD-PKG1'], neverReceived: ['WD-PKG2'], extra: ['WD-EXTRA'] });
  const client = world.importExportClient();
  assert.equal((await client.jobs.get('package', world.resourceGroupName)).properties?.driveList?.map((d) => d.state), ['Received', 'NeverReceived']);
  await world.datacenter.transfer(world.jobRef('package'));
  assert.is(await world.datacenter.shipBack(world.jobRef('package'), { trackingNumber: 'RETURN-1' }), 'Closed');
  const job = await client.jobs.get('package', world.resourceGroupName);
  assert.equal(job.properties?.driveList?.map((d) => d.state), ['Completed', 'NeverReceived']);
  assert.is(job.properties?.returnPackage?.trackingNumber, 'RETURN-1');
  assert.is(job.properties?.returnPackage?.driveCount, 1);
  assert.ok(await blobExists('package/one.txt'));
});

test('a job canceled while Shipping: the datacenter skips the copy, ships the drives back, the job ends Completed', async () => {
  const drive = fixture('drive-cancel', 'WD-CANCEL', [{ filePath: '\\c.txt', blobPath: 'canceled/c.txt', content: Buffer.from('c') }]);
  await createAndShip('canceled', [drive]);
  await world.importExportClient().jobs.update('canceled', world.resourceGroupName, { cancelRequested: true });
  const report = await world.datacenter.process(world.jobRef('canceled'), [{ driveId: 'WD-CANCEL', root: drive.written.root }]);
  assert.is(report.finalState, 'Completed');
  assert.equal(report.drives, []);
  const job = await world.importExportClient().jobs.get('canceled', world.resourceGroupName);
  assert.is(job.properties?.driveList?.[0]?.state, 'ShippedBack');
  assert.not.ok(await blobExists('canceled/c.txt'));
});

test('the datacenter refuses a package for a job that was not shipped', async () => {
  const drive = fixture('drive-unshipped', 'WD-UNSHIPPED', [{ filePath: '\\u.txt', blobPath: 'unshipped/u.txt', content: Buffer.from('u') }]);
  await world.importExportClient().jobs.create('unshipped', world.resourceGroupName, {
    location: 'westus',
    properties: {
      storageAccountId: world.storageAccountId(), jobType: 'Import',
      driveList: [{ driveId: 'WD-UNSHIPPED', bitLockerKey: drive.key, manifestFile: drive.written.manifestFile, manifestHash: drive.written.manifestHash }],
    },
  });
  await world.datacenter.receivePackage(world.jobRef('unshipped'), [{ driveId: 'WD-UNSHIPPED', root: drive.written.root }]).then(
    () => assert.unreachable('accepted'),
    (e: Error) => assert.match(e.message, /Creating/),
  );
});

test('Azurite accepts bearer tokens from the token service (storage audience) over HTTPS', async () => {
  const credential = world.credential();
  const token = await credential.getToken(STORAGE_SCOPE);
  assert.ok(token.token.split('.').length === 3);
  const service = new BlobServiceClient(world.azurite.blobEndpoint(), credential, { retryOptions: { maxTries: 1 } });
  const container = service.getContainerClient('oauth');
  await container.createIfNotExists();
  await container.getBlockBlobClient('hello.txt').upload('hi', 2);
  assert.is((await world.blobService().getContainerClient('oauth').getBlobClient('hello.txt').downloadToBuffer()).toString(), 'hi');
  assert.ok(world.emulator.tokenService.issued.some((t) => t.audience === 'https://storage.azure.com'));
});

test('a child process configured only by world.env reaches the emulator and Azurite (DefaultAzureCredential, NODE_EXTRA_CA_CERTS)', async () => {
  const drive = fixture('drive-child', 'WD-CHILD', [{ filePath: '\\x.txt', blobPath: 'child/x.txt', content: Buffer.from('x') }]);
  await createAndShip('child-visible', [drive]);
  const script = `
    import { DefaultAzureCredential } from '@azure/identity';
    import { StorageImportExport } from '@azure/arm-storageimportexport';
    import { BlobServiceClient } from '@azure/storage-blob';
    const e = process.env;
    const credential = new DefaultAzureCredential({ disableInstanceDiscovery: e.OFFLINESEED_DISABLE_INSTANCE_DISCOVERY === '1' });
    const arm = new StorageImportExport(credential, e.AZURE_SUBSCRIPTION_ID, { endpoint: e.OFFLINESEED_ARM_ENDPOINT, credentialScopes: [e.OFFLINESEED_ARM_SCOPE] });
    const job = await arm.jobs.get('child-visible', e.OFFLINESEED_TEST_RESOURCE_GROUP);
    const blobs = new BlobServiceClient(e.OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE.replace('{account}', e.OFFLINESEED_TEST_STORAGE_ACCOUNT), credential);
    const container = blobs.getContainerClient('from-child');
    await container.createIfNotExists();
    await container.getBlockBlobClient('note.txt').upload('written by a child', 17);
    console.log(JSON.stringify({ state: job.properties.state }));
  `;
  // Asynchronous on purpose: the emulator lives in this process and must keep answering.
  const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(nodeExecutable(), ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...world.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
  assert.is(child.status, 0, child.stderr);
  assert.equal(JSON.parse(child.stdout.trim().split('\n').at(-1)!), { state: 'Shipping' });
  assert.is((await download('from-child/note.txt')).toString(), 'written by a child');
});

test.run();
