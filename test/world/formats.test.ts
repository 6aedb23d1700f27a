/**
 * The pure pieces of the test world: the XML reader/writer, the drive-manifest rules (§3.6), the
 * DriveLog writer (§3.9), the rename rule, ARM routing, $filter, BitLocker keys, locations.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bitLockerKeyProblem, recoveryPassword } from './armModel.ts';
import { driveStatusFromBlobs, logTimestamp, writeDriveLog, type BlobResult } from './driveLog.ts';
import { matchRoute, parseFilter } from './importExportEmulator.ts';
import { defaultLocations, findLocation, shippingSite } from './locations.ts';
import { drivePathSegments, parseDriveManifest, renamedBlobName } from './manifest.ts';
import { childText, parseXml, writeXml, XmlError } from './xml.ts';

const H = 'D41D8CD98F00B204E9800998ECF8427E';

test('xml: declaration, comments, entities, CDATA, attributes in either quote; errors on malformed input', () => {
  const doc = parseXml('\uFEFF<?xml version="1.0"?>\n<!-- c --><A x="1 &amp; 2" y=\'&#x41;\'><B>&lt;t&gt; &#233;</B><C><![CDATA[<raw>]]></C><D/></A>');
  assert.is(doc.name, 'A');
  assert.equal(doc.attributes, { x: '1 & 2', y: 'A' });
  assert.is(childText(doc, 'B'), '<t> é');
  assert.is(childText(doc, 'C'), '<raw>');
  assert.is(childText(doc, 'D'), '');
  for (const bad of ['<A><B></A>', '<A>', '<A x=1/>', '<A/><B/>', '<A>&bogus;</A>', '<!DOCTYPE x><A/>', 'text', '<A x="1" x="2"/>']) {
    assert.throws(() => parseXml(bad), (e: unknown) => e instanceof XmlError, bad);
  }
  const round = parseXml(writeXml({ name: 'R', attributes: { a: 'q"<' }, children: [{ name: 'S', text: 'a & b' }] }));
  assert.is(round.attributes.a, 'q"<');
  assert.is(childText(round, 'S'), 'a & b');
});

function manifest(blob: string, version = '2014-11-01', driveId = 'D1'): string {
  return `<DriveManifest Version="${version}"><Drive><DriveId>${driveId}</DriveId><BlobList>${blob}</BlobList></Drive></DriveManifest>`;
}

function blob(body: string, path = 'cc1/b', extra = ''): string {
  return `<Blob><BlobPath>${path}</BlobPath><FilePath>\\f</FilePath>${body}${extra}</Blob>`;
}

test('manifest: a valid block blob, page blob and list-level metadata parse', () => {
  const parsed = parseDriveManifest(`<DriveManifest Version="2014-11-01"><Drive><DriveId>D1</DriveId><StorageAccountKey>k</StorageAccountKey>
    <BlobList Id="session#1-0"><MetadataPath Hash="${H}">\\m.xml</MetadataPath>
      ${blob(`<Length>5</Length><ImportDisposition>overwrite</ImportDisposition><BlockList><Block Offset="0" Length="3" Hash="${H}"/><Block Offset="3" Length="2" Hash="${H}"/></BlockList>`)}
      ${blob(`<Length>2048</Length><PageRangeList><PageRange Offset="0" Length="512" Hash="${H}"/><PageRange Offset="1024" Length="1024" Hash="${H}"/></PageRangeList>`, '$root/disk.vhd')}
    </BlobList></Drive></DriveManifest>`);
  assert.ok('ok' in parsed, JSON.stringify(parsed));
  if (!('ok' in parsed)) return;
  const [list] = parsed.ok.blobLists;
  assert.is(list!.id, 'session#1-0');
  assert.equal(list!.metadataPath, { path: '\\m.xml', hash: H });
  assert.equal(list!.blobs.map((b) => [b.kind, b.disposition, b.chunks.length]), [['BlockBlob', 'overwrite', 2], ['PageBlob', 'rename', 2]]);
});

test('manifest: every layout rule of §3.6 is enforced', () => {
  const block = (o: number, l: number, extra = ''): string => `<Block Offset="${o}" Length="${l}" Hash="${H}"${extra}/>`;
  const cases: [string, string, RegExp][] = [
    ['gap between blocks', blob(`<Length>4</Length><BlockList>${block(0, 2)}${block(3, 1)}</BlockList>`), /contiguous/],
    ['blocks do not cover Length', blob(`<Length>4</Length><BlockList>${block(0, 2)}</BlockList>`), /cover 2 bytes/],
    ['block over 4 MiB', blob(`<Length>4194305</Length><BlockList>${block(0, 4194305)}</BlockList>`), /4 MiB/],
    ['lowercase hash', blob(`<Length>1</Length><BlockList><Block Offset="0" Length="1" Hash="${H.toLowerCase()}"/></BlockList>`), /uppercase/],
    ['Ids on some blocks only', blob(`<Length>2</Length><BlockList>${block(0, 1, ' Id="QQ=="')}${block(1, 1)}</BlockList>`), /all blocks or none/],
    ['Ids of different lengths', blob(`<Length>2</Length><BlockList>${block(0, 1, ' Id="QQ=="')}${block(1, 1, ' Id="QUI="')}</BlockList>`), /one decoded length/],
    ['page blob length not 512-aligned', blob(`<Length>1000</Length><PageRangeList></PageRangeList>`), /multiple of 512/],
    ['page range misaligned', blob(`<Length>1024</Length><PageRangeList><PageRange Offset="100" Length="512" Hash="${H}"/></PageRangeList>`), /512-aligned/],
    ['overlapping page ranges', blob(`<Length>2048</Length><PageRangeList><PageRange Offset="0" Length="1024" Hash="${H}"/><PageRange Offset="512" Length="512" Hash="${H}"/></PageRangeList>`), /overlaps/],
    ['page range past Length', blob(`<Length>512</Length><PageRangeList><PageRange Offset="0" Length="1024" Hash="${H}"/></PageRangeList>`), /beyond Length/],
    ['bad container', blob(`<Length>0</Length><BlockList/>`, 'Bad_Container/b'), /container/],
    ['$root with a directory', blob(`<Length>0</Length><BlockList/>`, '$root/a/b'), /\$root/],
    ['disposition case', blob(`<Length>0</Length><ImportDisposition>Rename</ImportDisposition><BlockList/>`), /case-sensitive/],
    ['both lists', blob(`<Length>0</Length><BlockList/><PageRangeList/>`), /exactly one/],
    ['bad metadata hash', blob(`<Length>0</Length><BlockList/>`, 'cc1/b', '<MetadataPath Hash="x">\\m</MetadataPath>'), /MetadataPath Hash/],
  ];
  for (const [name, body, message] of cases) {
    const parsed = parseDriveManifest(manifest(body));
    assert.ok('problem' in parsed, name);
    if ('problem' in parsed) {
      assert.is(parsed.problem.status, 'BlobListFormatInvalid', name);
      assert.match(parsed.problem.message, message, name);
    }
  }
  const formats: [string, string][] = [
    ['not xml', '<DriveManifest'],
    ['wrong root', '<Manifest Version="2014-11-01"/>'],
    ['unknown version', manifest('', '2099-01-01')],
    ['DriveId not first', '<DriveManifest Version="2014-11-01"><Drive><BlobList/><DriveId>D</DriveId></Drive></DriveManifest>'],
    ['key and SAS', '<DriveManifest Version="2014-11-01"><Drive><DriveId>D</DriveId><StorageAccountKey>k</StorageAccountKey><ContainerSas>s</ContainerSas></Drive></DriveManifest>'],
  ];
  for (const [name, text] of formats) {
    const parsed = parseDriveManifest(text);
    assert.ok('problem' in parsed && parsed.problem.status === 'ManifestFormatInvalid', name);
  }
  assert.ok('ok' in parseDriveManifest(manifest('', '2011-10-01')), 'the 2011 version is read too');
});

test('file paths and the rename rule', () => {
  assert.equal(drivePathSegments('\\session1\\a b\\c.txt'), ['session1', 'a b', 'c.txt']);
  assert.equal(drivePathSegments('DriveManifest.xml'), ['DriveManifest.xml']);
  for (const bad of ['\\a\\..\\b', '\\a\\\\b', 'C:\\x', '\\a/b', '\\a\\b?']) assert.is(drivePathSegments(bad), undefined, bad);
  assert.is(renamedBlobName('photos/Seattle.jpg', 2), 'photos/Seattle (2).jpg');
  assert.is(renamedBlobName('BlobNameWithoutDot', 3), 'BlobNameWithoutDot (3)');
  assert.is(renamedBlobName('a.tar.gz', 2), 'a.tar (2).gz');
  assert.is(renamedBlobName('dir.v1/file', 2), 'dir.v1/file (2)');
  assert.is(renamedBlobName('.profile', 2), '.profile (2)');
});

function blobResult(patch: Partial<BlobResult>): BlobResult {
  return {
    status: 'Completed', blobPath: 'cc1/b', filePath: '\\f', length: 4, kind: 'BlockBlob',
    disposition: { value: 'rename', status: 'Created' },
    chunks: [{ offset: 0, length: 4, hash: H, status: 'Completed' }], bytesSucceeded: 4, ...patch,
  };
}

test('DriveLog: drive status from blobs; the error log drops clean blobs and completed chunks', () => {
  const clean = blobResult({});
  const renamed = blobResult({ blobPath: 'cc1/b (2)', disposition: { value: 'rename', status: 'Renamed' } });
  const broken = blobResult({
    status: 'CompletedWithErrors', blobPath: 'cc1/x', length: 8, bytesSucceeded: 0,
    chunks: [{ offset: 0, length: 4, hash: H, status: 'Uncommitted' }, { offset: 4, length: 4, hash: H, status: 'Corrupted' }],
  });
  assert.is(driveStatusFromBlobs([clean]), 'Completed');
  assert.is(driveStatusFromBlobs([clean, renamed]), 'CompletedWithWarnings');
  assert.is(driveStatusFromBlobs([renamed, broken]), 'CompletedWithErrors');
  assert.is(driveStatusFromBlobs([blobResult({ metadata: { status: 'Corrupted', path: { path: '\\m', hash: H } } })]), 'CompletedWithErrors');
  const result = { driveId: 'D1', status: 'CompletedWithErrors' as const, blobs: [clean, renamed, broken] };
  const verbose = parseXml(writeDriveLog(result, false));
  assert.is(verbose.attributes.Version, '2014-11-01');
  assert.is(verbose.children.filter((c) => c.name === 'Blob').length, 3);
  assert.is(verbose.children.at(-1)?.name, 'Status', 'Status comes last');
  const errors = parseXml(writeDriveLog(result, true));
  const blobs = errors.children.filter((c) => c.name === 'Blob');
  assert.equal(blobs.map((b) => childText(b, 'BlobPath')), ['cc1/b (2)', 'cc1/x']);
  assert.is(blobs[0]!.children.some((c) => c.name === 'BlockList'), false, 'no chunk of the renamed blob failed');
  assert.equal(blobs[1]!.children.find((c) => c.name === 'BlockList')!.children.map((c) => c.attributes.Status), ['Uncommitted', 'Corrupted']);
  assert.is(logTimestamp(Date.parse('2013-09-21T03:43:07.902Z')), '20130921-034307-902');
});

test('routing, $filter and BitLocker keys', () => {
  assert.equal(matchRoute('/providers/Microsoft.ImportExport/locations/West%20US'), { kind: 'location', name: 'West US' });
  assert.equal(matchRoute('/subscriptions/s/resourcegroups/rg/providers/microsoft.importexport/jobs/j/listbitlockerkeys'), {
    kind: 'bitLockerKeys', ref: { subscriptionId: 's', resourceGroupName: 'rg', jobName: 'j' },
  });
  assert.equal(matchRoute('/subscriptions/s/providers/Microsoft.ImportExport/jobs/'), { kind: 'jobsBySubscription', subscriptionId: 's' });
  for (const path of ['/', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/jobs', '/providers/Microsoft.ImportExport/jobs']) {
    assert.is(matchRoute(path), undefined, path);
  }
  assert.equal(parseFilter("state eq 'Shipping' and name eq 'it''s'"), [{ field: 'state', value: 'Shipping' }, { field: 'name', value: "it's" }]);
  assert.is(parseFilter("state ne 'Shipping'"), undefined);
  for (let seed = 1; seed < 50; seed++) assert.is(bitLockerKeyProblem(recoveryPassword(seed), true), undefined);
  assert.ok(bitLockerKeyProblem('000001-000000-000000-000000-000000-000000-000000-000000', true));
  assert.is(bitLockerKeyProblem('000001-000000-000000-000000-000000-000000-000000-000000', false), undefined);
});

test('locations: lookup by display name or slug, alternates followed to an existing site', () => {
  const all = defaultLocations();
  assert.is(findLocation(all, 'west us')?.name, 'West US');
  assert.is(findLocation(all, 'WESTUS2')?.name, 'West US 2');
  assert.is(shippingSite(all, findLocation(all, 'East US')!).name, 'East US 2');
  assert.is(shippingSite(all, findLocation(all, 'UK South')!).name, 'UK South');
  assert.ok(all.every((l) => l.properties.supportedCarriers.length > 0 && l.properties.alternateLocations.length > 0));
});

test.run();
