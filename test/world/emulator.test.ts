/**
 * The Import/Export emulator through the real @azure/arm-storageimportexport SDK over HTTPS, with a
 * real @azure/identity ClientSecretCredential against the emulator's token service. One test per
 * rule of reference §6: each fails if its rule is removed from the emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DriveStatus, JobResponse } from '@azure/arm-storageimportexport';
import { isRestError } from '@azure/storage-blob';
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { makeClientCertificate } from './certs.ts';
import { drives, importJob, RETURN_ADDRESS, startEmulatorHarness, type EmulatorHarness } from './harness.ts';
import { mintToken } from './jwt.ts';

interface ArmFailure {
  statusCode: number;
  code: string;
  message: string;
  target?: string;
  details: { code: string; target: string }[];
}

async function armFailure(promise: Promise<unknown>): Promise<ArmFailure> {
  try {
    await promise;
  } catch (error) {
    if (!isRestError(error)) throw error;
    const body = (error.details ?? {}) as { target?: string; details?: { code: string; target: string }[] };
    return {
      statusCode: error.statusCode ?? 0,
      code: error.code ?? '',
      message: error.message,
      ...(body.target !== undefined ? { target: body.target } : {}),
      details: body.details ?? [],
    };
  }
  throw new assert.Assertion({ message: 'expected the call to fail', expects: 'failure', actual: 'success', operator: 'rejects', generated: false });
}


let h: EmulatorHarness;
test.before(async () => {
  h = await startEmulatorHarness({ defaultPageSize: 100 });
});
test.after(async () => {
  await h.stop();
});

async function rawPut(name: string, body: unknown): Promise<{ status: number; error: { code: string; target?: string; message: string } }> {
  const response = await h.raw('PUT', `/subscriptions/${h.subscriptionId}/resourceGroups/${h.resourceGroupName}/providers/Microsoft.ImportExport/jobs/${name}?api-version=2021-01-01`, {
    headers: { authorization: `Bearer ${h.emulator.mintArmToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, error: (response.json as { error: { code: string; target?: string; message: string } }).error };
}

let jobCounter = 0;
function freshName(): string {
  jobCounter++;
  return `job-${jobCounter}`;
}

async function createJob(name = freshName(), patch: Record<string, unknown> = {}, location = 'West US'): Promise<string> {
  await h.client().jobs.create(name, h.resourceGroupName, importJob(h.storageAccountId(), patch, location));
  return name;
}

async function ship(name: string, trackingNumber = `TN-${name}`): Promise<JobResponse> {
  return h.client().jobs.update(name, h.resourceGroupName, {
    state: 'Shipping',
    deliveryPackage: { carrierName: 'FedEx', trackingNumber, driveCount: 1, shipDate: '2026-11-21' },
  });
}

test('locations: list (single page), get by display name or slug, alternates, 404', async () => {
  const client = h.client();
  const names: string[] = [];
  for await (const l of client.locations.list()) names.push(l.name ?? '');
  assert.ok(names.includes('West US') && names.includes('East US 2'));
  const pages = h.emulator.requests.filter((r) => r.path.endsWith('/locations'));
  assert.is(pages.length, 1, 'locations list has no nextLink');
  const byDisplay = await client.locations.get('West US');
  const bySlug = await client.locations.get('westus');
  assert.equal(byDisplay, bySlug);
  assert.is(byDisplay.city, 'Santa Clara');
  assert.ok(byDisplay.supportedCarriers?.includes('FedEx'));
  assert.equal(byDisplay.alternateLocations, ['/providers/Microsoft.ImportExport/locations/westus']);
  const east = await client.locations.get('eastus');
  assert.equal(east.alternateLocations, ['/providers/Microsoft.ImportExport/locations/eastus2'], 'East US ships to its alternate');
  const missing = await armFailure(client.locations.get('Atlantis'));
  assert.is(missing.statusCode, 404);
  assert.is(missing.code, 'ResourceNotFound');
});

test('operations: the six provider operations with display information', async () => {
  const ops = [];
  for await (const op of h.client().operations.list()) ops.push(op);
  assert.equal(ops.map((o) => o.name), [
    'Microsoft.ImportExport/locations/read', 'Microsoft.ImportExport/jobs/write', 'Microsoft.ImportExport/jobs/read',
    'Microsoft.ImportExport/jobs/listBitLockerKeys/action', 'Microsoft.ImportExport/jobs/delete', 'Microsoft.ImportExport/register/action',
  ]);
  assert.is(ops[0]!.provider, 'Microsoft Import/Export');
});

test('create: 201, state Creating, drives Specified, every default emitted, no BitLocker key echoed; listBitLockerKeys returns it', async () => {
  const client = h.client();
  const name = freshName();
  let status = 0;
  const body = importJob(h.storageAccountId());
  const created = await client.jobs.create(name, h.resourceGroupName, body, { onResponse: (r) => (status = r.status) });
  assert.is(status, 201);
  const raw = await h.raw('GET', `/subscriptions/${h.subscriptionId}/resourceGroups/${h.resourceGroupName}/providers/Microsoft.ImportExport/jobs/${name}?api-version=2021-01-01`, {
    headers: { authorization: `Bearer ${h.emulator.mintArmToken()}` },
  });
  const wire = raw.json as { id: string; type: string; identity: unknown; properties: Record<string, unknown> & { driveList: Record<string, unknown>[] } };
  // The SDK injects defaults for missing fields, so look at the wire: the emulator must send them.
  assert.is(wire.id, `/subscriptions/${h.subscriptionId}/resourceGroups/${h.resourceGroupName}/providers/Microsoft.ImportExport/jobs/${name}`);
  assert.is(wire.type, 'Microsoft.ImportExport/jobs');
  assert.equal(wire.identity, { type: 'None' });
  for (const [field, value] of Object.entries({ state: 'Creating', cancelRequested: false, backupDriveManifest: false, provisioningState: 'Succeeded', diagnosticsPath: 'waimportexport', logLevel: 'Error' })) {
    assert.is(wire.properties[field], value, field);
  }
  assert.equal(wire.properties.encryptionKey, { kekType: 'MicrosoftManaged' });
  assert.is(wire.properties.driveList[0]!.state, 'Specified');
  assert.not.ok('bitLockerKey' in wire.properties.driveList[0]!, 'GET never echoes the key');
  assert.is(created.properties?.driveList?.[0]?.bitLockerKey, undefined, 'create response has no key');
  assert.is(created.properties?.shippingInformation?.city, 'Santa Clara', 'shipping information comes from the location');
  const got = await client.jobs.get(name, h.resourceGroupName);
  assert.is(got.properties?.driveList?.[0]?.bitLockerKey, undefined);
  const listed: JobResponse[] = [];
  for await (const j of client.jobs.listByResourceGroup(h.resourceGroupName)) listed.push(j);
  assert.ok(listed.every((j) => j.properties?.driveList?.every((d) => d.bitLockerKey === undefined)), 'lists never echo keys');
  const keys = [];
  for await (const k of client.bitLockerKeys.list(name, h.resourceGroupName)) keys.push(k);
  assert.equal(keys, [{ driveId: body.properties!.driveList![0]!.driveId, bitLockerKey: body.properties!.driveList![0]!.bitLockerKey }]);
  assert.is(h.emulator.requests.filter((r) => r.path.endsWith('/listBitLockerKeys')).at(-1)?.method, 'POST');
});

test('create in a location with a closed site fills shippingInformation from the alternate', async () => {
  const name = await createJob(freshName(), {}, 'East US');
  const job = await h.client().jobs.get(name, h.resourceGroupName);
  assert.is(job.location, 'East US');
  assert.is(job.properties?.shippingInformation?.city, 'Boydton');
});

test('PUT on an existing job: 200 while Creating, 409 once shipped', async () => {
  const client = h.client();
  const name = await createJob();
  let status = 0;
  await client.jobs.create(name, h.resourceGroupName, importJob(h.storageAccountId(), { logLevel: 'Verbose' }), { onResponse: (r) => (status = r.status) });
  assert.is(status, 200);
  assert.is((await client.jobs.get(name, h.resourceGroupName)).properties?.logLevel, 'Verbose');
  await ship(name);
  const again = await armFailure(client.jobs.create(name, h.resourceGroupName, importJob(h.storageAccountId())));
  assert.is(again.statusCode, 409);
  assert.is(again.code, 'InvalidJobState');
});

test('§6.8 job names: lowercase letters, digits, hyphens, starting with a letter, 2..64', async () => {
  for (const bad of ['Upper', 'under_score', '9lives', 'a', 'x'.repeat(65), 'dot.ted']) {
    const failure = await armFailure(h.client().jobs.create(bad, h.resourceGroupName, importJob(h.storageAccountId())));
    assert.is(failure.statusCode, 400, bad);
    assert.is(failure.code, 'InvalidJobName', bad);
  }
  await createJob('ok-2-name');
  const legacy = await startEmulatorHarness({ allowUnderscoreInJobNames: true });
  try {
    await legacy.client().jobs.create('legacy_name', legacy.resourceGroupName, importJob(legacy.storageAccountId()));
  } finally {
    await legacy.stop();
  }
});

test('§6.9 jobType, storageAccountId and location are validated', async () => {
  const cases: [Record<string, unknown>, string, string?][] = [
    [{ jobType: 'Upload' }, 'InvalidJobType'],
    [{ storageAccountId: 'seedstore' }, 'InvalidStorageAccountId'],
    [{ storageAccountId: `/subscriptions/${h.subscriptionId}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/unknownacct` }, 'StorageAccountNotFound'],
  ];
  for (const [patch, code] of cases) {
    const failure = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), patch)));
    assert.is(failure.statusCode, 400, code);
    assert.is(failure.code, code);
  }
  const location = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), {}, 'Atlantis')));
  assert.is(location.code, 'InvalidLocation');
  const noLocation = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, { properties: importJob(h.storageAccountId()).properties! }));
  assert.is(noLocation.code, 'LocationRequired');
  // Classic storage account ids are accepted too (spec examples use both).
  await createJob(freshName(), { storageAccountId: h.storageAccountId().replace('Microsoft.Storage', 'Microsoft.ClassicStorage') });
});

test('§6.10 driveList: 1..10 drives', async () => {
  const tooMany = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: drives(11) })));
  assert.is(tooMany.statusCode, 400);
  assert.is(tooMany.code, 'TooManyDrives');
  await createJob(freshName(), { driveList: drives(10) });
  const none = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: [] })));
  assert.is(none.code, 'DriveListRequired');
  const absent = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: undefined })));
  assert.is(absent.code, 'DriveListRequired');
});

test('§6.10 driveList: drive ids unique (case-insensitive), non-empty, without spaces', async () => {
  const [a, b] = drives(2);
  const dup = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: [a, { ...b, driveId: a!.driveId.toLowerCase() }] })));
  assert.is(dup.code, 'DuplicateDriveId');
  assert.is(dup.target, 'properties.driveList[1].driveId');
  for (const driveId of ['', 'WD 123']) {
    const bad = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: [{ ...a, driveId }] })));
    assert.is(bad.code, 'InvalidDriveId', JSON.stringify(driveId));
  }
});

test('§6.10 driveList: BitLocker key required, 48-digit recovery password, BitLocker group rule', async () => {
  const [a] = drives(1);
  const missing = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: [{ ...a, bitLockerKey: undefined }] })));
  assert.is(missing.code, 'BitLockerKeyRequired');
  assert.is(missing.target, 'properties.driveList[0].bitLockerKey');
  for (const key of ['123456-123456', '000000-000000-111111-111111-222222-222222-333333-33333x', '000012-000000-000000-000000-000000-000000-000000-000000', '720896-000000-000000-000000-000000-000000-000000-000000']) {
    const bad = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: [{ ...a, bitLockerKey: key }] })));
    assert.is(bad.code, 'InvalidBitLockerKey', key);
  }
  // The error message never repeats the key.
  assert.not.match(missing.message, /\d{6}-\d{6}/);
});

test('§6.10 driveList: manifestFile required; manifestHash is 32 hex digits (64 only when allowed)', async () => {
  const [a] = drives(1);
  const noFile = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: [{ ...a, manifestFile: undefined }] })));
  assert.is(noFile.code, 'ManifestFileRequired');
  for (const hash of [undefined, '109B21108597EF36D5785F08303F363', '109B21108597EF36D5785F08303F363G', 'A'.repeat(64)]) {
    const bad = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { driveList: [{ ...a, manifestHash: hash }] })));
    assert.is(bad.code, 'InvalidManifestHash', String(hash));
  }
  const lower = await createJob(freshName(), { driveList: [{ ...a, manifestHash: '109b21108597ef36d5785f08303f3638' }] });
  assert.is((await h.client().jobs.get(lower, h.resourceGroupName)).properties?.driveList?.[0]?.manifestHash, '109B21108597EF36D5785F08303F3638');
  const lenient = await startEmulatorHarness({ allow64HexManifestHash: true });
  try {
    await lenient.client().jobs.create('sha-job', lenient.resourceGroupName, importJob(lenient.storageAccountId(), { driveList: [{ ...a, manifestHash: 'A'.repeat(64) }] }));
  } finally {
    await lenient.stop();
  }
});

test('§6.10/§6.11 import jobs refuse export; export jobs need export and no driveList', async () => {
  const client = h.client();
  const importWithExport = await armFailure(client.jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { export: { blobPathPrefix: ['/vhds/'] } })));
  assert.is(importWithExport.code, 'ExportNotAllowed');
  const exportBase = { jobType: 'Export', driveList: undefined };
  const noExport = await armFailure(client.jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), exportBase)));
  assert.is(noExport.code, 'ExportRequired');
  const withDrives = await armFailure(client.jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { ...exportBase, driveList: drives(1), export: { blobPath: ['backups/a.bin'] } })));
  assert.is(withDrives.code, 'DriveListNotAllowed');
  const badPath = await armFailure(client.jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { ...exportBase, export: { blobPath: ['Bad_Container/a.bin'] } })));
  assert.is(badPath.code, 'InvalidExportBlobPath');
  const name = freshName();
  const created = await client.jobs.create(name, h.resourceGroupName, importJob(h.storageAccountId(), { ...exportBase, export: { blobPathPrefix: ['/vhds/'], blobPath: ['$root/a.vhd'] } }));
  assert.is(created.properties?.jobType, 'Export');
  assert.equal(created.properties?.export?.blobPathPrefix, ['/vhds/']);
});

test('§6.12 sub-objects: ReturnAddress 7 fields, ReturnShipping 2, DeliveryPackage carrier and tracking number', async () => {
  const client = h.client();
  const { email: _email, ...noEmail } = RETURN_ADDRESS;
  void _email;
  // The SDK refuses to serialize a missing required field, so these go over the wire by hand.
  const address = await rawPut(freshName(), importJob(h.storageAccountId(), { returnAddress: noEmail }));
  assert.is(address.status, 400);
  assert.is(address.error.code, 'MissingRequiredField');
  assert.is(address.error.target, 'properties.returnAddress.email');
  const shipping = await rawPut(freshName(), importJob(h.storageAccountId(), { returnShipping: { carrierName: 'FedEx' } }));
  assert.is(shipping.error.target, 'properties.returnShipping.carrierAccountNumber');
  const blank = await armFailure(client.jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { returnAddress: { ...RETURN_ADDRESS, city: ' ' } })));
  assert.is(blank.target, 'properties.returnAddress.city');
  const name = await createJob();
  const pkg = await armFailure(client.jobs.update(name, h.resourceGroupName, { deliveryPackage: { carrierName: 'FedEx', trackingNumber: '' } }));
  assert.is(pkg.code, 'MissingRequiredField');
  assert.is(pkg.target, 'properties.deliveryPackage.trackingNumber');
  const count = await armFailure(client.jobs.update(name, h.resourceGroupName, { deliveryPackage: { carrierName: 'FedEx', trackingNumber: 'T-count', driveCount: 11 } }));
  assert.is(count.code, 'InvalidDriveCount');
});

test('§6.13 Shipping needs a return address and a delivery package; no other state can be set', async () => {
  const client = h.client();
  const name = await createJob(freshName(), { returnAddress: undefined });
  const noAddress = await armFailure(ship(name));
  assert.is(noAddress.statusCode, 400);
  assert.is(noAddress.code, 'ReturnAddressRequired');
  const noPackage = await armFailure(client.jobs.update(name, h.resourceGroupName, { state: 'Shipping', returnAddress: RETURN_ADDRESS }));
  assert.is(noPackage.code, 'DeliveryPackageRequired');
  assert.is((await client.jobs.get(name, h.resourceGroupName)).properties?.returnAddress, undefined, 'a rejected PATCH changes nothing');
  for (const state of ['Received', 'Completed', 'Creating']) {
    const bad = await armFailure(client.jobs.update(name, h.resourceGroupName, { state }));
    assert.is(bad.code, 'InvalidState', state);
  }
  // Address in the same PATCH as the state change is enough.
  const shipped = await client.jobs.update(name, h.resourceGroupName, {
    state: 'Shipping', returnAddress: RETURN_ADDRESS, deliveryPackage: { carrierName: 'DHL', trackingNumber: `TN-${name}` },
  });
  assert.is(shipped.properties?.state, 'Shipping');
  assert.is((await ship(name, `TN-${name}`)).properties?.state, 'Shipping', 'Shipping again is a no-op');
  h.emulator.setJobState(h.ref(name), 'Transferring');
  const late = await armFailure(ship(name, `TN-${name}`));
  assert.is(late.statusCode, 409);
});

test('§6.13 tracking numbers are unique across jobs (case-insensitive), by PATCH and by PUT', async () => {
  const first = await createJob();
  await ship(first, 'TRACK-0001');
  const second = await createJob();
  const reused = await armFailure(ship(second, 'track-0001'));
  assert.is(reused.statusCode, 409);
  assert.is(reused.code, 'TrackingNumberInUse');
  assert.match(reused.message, new RegExp(first));
  const viaPut = await armFailure(h.client().jobs.create(freshName(), h.resourceGroupName, importJob(h.storageAccountId(), { deliveryPackage: { carrierName: 'FedEx', trackingNumber: 'TRACK-0001' } })));
  assert.is(viaPut.code, 'TrackingNumberInUse');
  assert.is((await ship(second, 'TRACK-0002')).properties?.deliveryPackage?.trackingNumber, 'TRACK-0002');
});

test('§1.4 PATCH: driveList only while Creating; deliveryPackage only in Creating/Shipping; logLevel until Received', async () => {
  const client = h.client();
  const name = await createJob();
  const updated = await client.jobs.update(name, h.resourceGroupName, { driveList: drives(2) as DriveStatus[], logLevel: 'Verbose', backupDriveManifest: true, tags: { seed: 'fs01' } });
  assert.is(updated.properties?.driveList?.length, 2);
  assert.equal(updated.tags, { seed: 'fs01' });
  const badLevel = await armFailure(client.jobs.update(name, h.resourceGroupName, { logLevel: 'Chatty' }));
  assert.is(badLevel.code, 'InvalidLogLevel');
  await ship(name);
  const drivesLater = await armFailure(client.jobs.update(name, h.resourceGroupName, { driveList: drives(1) as DriveStatus[] }));
  assert.is(drivesLater.statusCode, 409);
  assert.is(drivesLater.target, 'properties.driveList');
  h.emulator.setJobState(h.ref(name), 'Transferring');
  const pkgLater = await armFailure(client.jobs.update(name, h.resourceGroupName, { deliveryPackage: { carrierName: 'FedEx', trackingNumber: 'NEW-1' } }));
  assert.is(pkgLater.target, 'properties.deliveryPackage');
  const levelLater = await armFailure(client.jobs.update(name, h.resourceGroupName, { logLevel: 'Error' }));
  assert.is(levelLater.target, 'properties.logLevel');
  await client.jobs.update(name, h.resourceGroupName, { returnAddress: { ...RETURN_ADDRESS, city: 'Seattle' } });
});

test('§6.15 cancelRequested must be true; the default window is Creating or Shipping; a Creating job ends Completed', async () => {
  const client = h.client();
  const name = await createJob();
  const notTrue = await armFailure(client.jobs.update(name, h.resourceGroupName, { cancelRequested: false }));
  assert.is(notTrue.code, 'InvalidCancelRequested');
  const canceled = await client.jobs.update(name, h.resourceGroupName, { cancelRequested: true });
  assert.is(canceled.properties?.cancelRequested, true);
  assert.is(canceled.properties?.state, 'Completed', 'REST: canceled jobs end Completed');
  const shipped = await createJob();
  await ship(shipped);
  const inShipping = await client.jobs.update(shipped, h.resourceGroupName, { cancelRequested: true });
  assert.is(inShipping.properties?.state, 'Shipping');
  assert.is(inShipping.properties?.cancelRequested, true);
  const received = await createJob();
  await ship(received);
  h.emulator.setJobState(h.ref(received), 'Received');
  const tooLate = await armFailure(client.jobs.update(received, h.resourceGroupName, { cancelRequested: true }));
  assert.is(tooLate.statusCode, 409);
  assert.is(tooLate.code, 'InvalidJobState');
  assert.is(tooLate.target, 'properties.cancelRequested');
});

test('§6.15 the cancel window is configurable: Creating only, or before Packaging; Canceled end state', async () => {
  const strict = await startEmulatorHarness({ cancelWindow: 'Creating', canceledEndState: 'Canceled' });
  const lenient = await startEmulatorHarness({ cancelWindow: 'BeforePackaging' });
  const jobIn = async (world: EmulatorHarness, name: string, state: 'Creating' | 'Shipping' | 'Transferring' | 'Packaging'): Promise<void> => {
    await world.client().jobs.create(name, world.resourceGroupName, importJob(world.storageAccountId()));
    if (state === 'Creating') return;
    await world.client().jobs.update(name, world.resourceGroupName, { state: 'Shipping', deliveryPackage: { carrierName: 'FedEx', trackingNumber: `T-${name}` } });
    if (state !== 'Shipping') world.emulator.setJobState(world.ref(name), state);
  };
  try {
    await jobIn(strict, 'shipping', 'Shipping');
    assert.is((await armFailure(strict.client().jobs.update('shipping', strict.resourceGroupName, { cancelRequested: true }))).statusCode, 409);
    await jobIn(strict, 'creating', 'Creating');
    assert.is((await strict.client().jobs.update('creating', strict.resourceGroupName, { cancelRequested: true })).properties?.state, 'Canceled');
    await jobIn(lenient, 'transferring', 'Transferring');
    const canceled = await lenient.client().jobs.update('transferring', lenient.resourceGroupName, { cancelRequested: true });
    assert.is(canceled.properties?.cancelRequested, true);
    assert.is(canceled.properties?.state, 'Transferring', 'the datacenter finishes a job canceled late');
    await jobIn(lenient, 'packaging', 'Packaging');
    assert.is((await armFailure(lenient.client().jobs.update('packaging', lenient.resourceGroupName, { cancelRequested: true }))).statusCode, 409);
  } finally {
    await strict.stop();
    await lenient.stop();
  }
});

test('§6.3 DELETE: 200 in Creating or Completed, then 404; 409 in Shipping and (by default) Closed; 404 when missing', async () => {
  const client = h.client();
  const name = await createJob();
  let status = 0;
  await client.jobs.delete(name, h.resourceGroupName, { onResponse: (r) => (status = r.status) });
  assert.is(status, 200);
  const gone = await armFailure(client.jobs.get(name, h.resourceGroupName));
  assert.is(gone.statusCode, 404);
  assert.is(gone.code, 'ResourceNotFound');
  const shipped = await createJob();
  await ship(shipped);
  const inShipping = await armFailure(client.jobs.delete(shipped, h.resourceGroupName));
  assert.is(inShipping.statusCode, 409);
  assert.is(inShipping.code, 'InvalidJobState');
  h.emulator.setJobState(h.ref(shipped), 'Closed');
  assert.is((await armFailure(client.jobs.delete(shipped, h.resourceGroupName))).statusCode, 409);
  h.emulator.setJobState(h.ref(shipped), 'Completed');
  await client.jobs.delete(shipped, h.resourceGroupName);
  assert.is((await armFailure(client.jobs.delete(shipped, h.resourceGroupName))).statusCode, 404);
  const lenient = await startEmulatorHarness({ deleteStates: ['Creating', 'Completed', 'Closed'] });
  try {
    await lenient.client().jobs.create('closed-job', lenient.resourceGroupName, importJob(lenient.storageAccountId()));
    lenient.emulator.setJobState(lenient.ref('closed-job'), 'Closed');
    await lenient.client().jobs.delete('closed-job', lenient.resourceGroupName);
  } finally {
    await lenient.stop();
  }
});

test('§6.1 api-version: required, only 2021-01-01 by default; unknown routes and methods', async () => {
  const old = await armFailure(h.client(undefined, '2019-05-01').locations.get('westus'));
  assert.is(old.statusCode, 400);
  assert.is(old.code, 'InvalidApiVersionParameter');
  const auth = { authorization: `Bearer ${h.emulator.mintArmToken()}` };
  const missing = await h.raw('GET', '/providers/Microsoft.ImportExport/locations', { headers: auth });
  assert.is(missing.status, 400);
  assert.is((missing.json as { error: { code: string } }).error.code, 'MissingApiVersionParameter');
  const preview = await h.raw('GET', '/providers/Microsoft.ImportExport/locations?api-version=2021-01-01-preview', { headers: auth });
  assert.is(preview.status, 400);
  const caseInsensitive = await h.raw('GET', '/PROVIDERS/microsoft.importexport/Locations/WestUS?api-version=2021-01-01', { headers: auth });
  assert.is(caseInsensitive.status, 200);
  const unknown = await h.raw('GET', '/providers/Microsoft.ImportExport/volcanoes?api-version=2021-01-01', { headers: auth });
  assert.is(unknown.status, 404);
  const method = await h.raw('DELETE', '/providers/Microsoft.ImportExport/locations?api-version=2021-01-01', { headers: auth });
  assert.is(method.status, 405);
  const older = await startEmulatorHarness({ apiVersions: ['2021-01-01', '2020-08-01'] });
  try {
    await older.client(undefined, '2020-08-01').locations.get('westus');
  } finally {
    await older.stop();
  }
});

test('§6.2 errors are ARM-shaped; bodies must be JSON objects sent as application/json', async () => {
  const auth = { authorization: `Bearer ${h.emulator.mintArmToken()}` };
  const path = `/subscriptions/${h.subscriptionId}/resourceGroups/${h.resourceGroupName}/providers/Microsoft.ImportExport/jobs/raw-job?api-version=2021-01-01`;
  const notJson = await h.raw('PUT', path, { headers: { ...auth, 'content-type': 'application/json' }, body: '{"location":' });
  assert.is(notJson.status, 400);
  assert.equal(Object.keys(notJson.json as object), ['error']);
  assert.is((notJson.json as { error: { code: string } }).error.code, 'InvalidRequestContent');
  const text = await h.raw('PUT', path, { headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' });
  assert.is(text.status, 415);
  const array = await h.raw('PUT', path, { headers: { ...auth, 'content-type': 'application/json' }, body: '[]' });
  assert.is(array.status, 400);
  const many = await h.raw('PUT', path, { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ location: 'Atlantis', properties: { jobType: 'Import' } }) });
  const error = (many.json as { error: { code: string; message: string; details: { code: string }[] } }).error;
  assert.is(error.code, 'InvalidLocation');
  assert.ok(error.details.length >= 3, 'every failure is listed in details');
  assert.ok(typeof many.headers['x-ms-request-id'] === 'string');
});

test('§6.7 paging: $top is the page size, absolute nextLink, $top outside 1..100 is 400, $filter', async () => {
  const paged = await startEmulatorHarness();
  try {
    const client = paged.client();
    for (const n of [1, 2, 3, 4, 5]) await client.jobs.create(`page-${n}`, paged.resourceGroupName, importJob(paged.storageAccountId()));
    await client.jobs.create('other-rg-job', 'other-rg', importJob(paged.storageAccountId()));
    await client.jobs.update('page-2', paged.resourceGroupName, { state: 'Shipping', deliveryPackage: { carrierName: 'FedEx', trackingNumber: 'P2' } });
    const sizes: number[] = [];
    for await (const page of client.jobs.listByResourceGroup(paged.resourceGroupName, { top: 2 }).byPage()) sizes.push(page.length);
    assert.equal(sizes, [2, 2, 1]);
    const listCalls = paged.emulator.requests.filter((r) => r.path.endsWith(`/resourceGroups/${paged.resourceGroupName}/providers/Microsoft.ImportExport/jobs`));
    assert.is(listCalls.length, 3);
    assert.ok(listCalls[1]!.query.$skiptoken, 'the SDK followed nextLink');
    assert.is(listCalls[1]!.query['api-version'], '2021-01-01', 'nextLink carries api-version (the SDK does not re-add it)');
    const names: string[] = [];
    for await (const j of client.jobs.listByResourceGroup(paged.resourceGroupName, { top: 2 })) names.push(j.name!);
    assert.equal(names, ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    const all: string[] = [];
    for await (const j of client.jobs.listBySubscription({ top: 4 })) all.push(j.name!);
    assert.equal(all.sort(), ['other-rg-job', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    const raw = await paged.raw('GET', `/subscriptions/${paged.subscriptionId}/providers/Microsoft.ImportExport/jobs?api-version=2021-01-01&$top=4`, {
      headers: { authorization: `Bearer ${paged.emulator.mintArmToken()}` },
    });
    const next = (raw.json as { nextLink: string }).nextLink;
    assert.ok(next.startsWith(`${paged.emulator.endpoint}/subscriptions/`), 'nextLink is absolute');
    for (const top of [0, 101]) {
      const bad = await armFailure(client.jobs.listBySubscription({ top }).next());
      assert.is(bad.statusCode, 400, String(top));
      assert.is(bad.code, 'InvalidQueryParameterValue');
    }
    const shipping: string[] = [];
    for await (const j of client.jobs.listBySubscription({ filter: "state eq 'Shipping'" })) shipping.push(j.name!);
    assert.equal(shipping, ['page-2']);
    const both: string[] = [];
    for await (const j of client.jobs.listByResourceGroup(paged.resourceGroupName, { filter: "jobType eq 'Import' and name eq 'page-4'" })) both.push(j.name!);
    assert.equal(both, ['page-4']);
    const unsupported = await armFailure(client.jobs.listBySubscription({ filter: "startswith(name,'p')" }).next());
    assert.is(unsupported.code, 'InvalidFilter');
  } finally {
    await paged.stop();
  }
});

test('auth: the SDK got a token from the token service; missing, wrong-audience and expired tokens are refused', async () => {
  const issued = h.emulator.tokenService.issued;
  assert.ok(issued.some((t) => t.clientId === h.principal.clientId && t.audience === 'https://management.azure.com'));
  const jwtCalls = h.emulator.authLog.filter((a) => a.kind === 'jwt' && a.claims?.appid === h.principal.clientId);
  assert.ok(jwtCalls.length > 10, 'the SDK calls carried the issued token');
  assert.ok(jwtCalls.every((a) => issued.some((t) => t.token === a.token)));
  const path = '/providers/Microsoft.ImportExport/locations?api-version=2021-01-01';
  const none = await h.raw('GET', path);
  assert.is(none.status, 401);
  assert.is((none.json as { error: { code: string } }).error.code, 'AuthenticationFailed');
  assert.match(String(none.headers['www-authenticate']), /^Bearer /);
  const storageToken = mintToken({ audience: 'https://storage.azure.com', tenantId: h.principal.tenantId, clientId: 'x' });
  const wrong = await h.raw('GET', path, { headers: { authorization: `Bearer ${storageToken}` } });
  assert.is((wrong.json as { error: { code: string } }).error.code, 'InvalidAuthenticationTokenAudience');
  const expired = mintToken({ audience: 'https://management.azure.com/', tenantId: h.principal.tenantId, clientId: 'x', lifetimeSeconds: -60 });
  assert.is(((await h.raw('GET', path, { headers: { authorization: `Bearer ${expired}` } })).json as { error: { code: string } }).error.code, 'ExpiredAuthenticationToken');
  const garbage = await h.raw('GET', path, { headers: { authorization: 'Bearer not-a-token' } });
  assert.is((garbage.json as { error: { code: string } }).error.code, 'InvalidAuthenticationToken');
});

test('auth: a wrong client secret fails in @azure/identity; a static handed-over token works', async () => {
  const bad = new ClientSecretCredential(h.principal.tenantId, h.principal.clientId, 'wrong-secret', {
    authorityHost: h.emulator.authorityHost,
    disableInstanceDiscovery: true,
  });
  const failure = await h.client(bad).locations.get('westus').then(() => undefined, (e: Error) => e);
  assert.ok(failure, 'the call fails');
  assert.match(String(failure?.message), /AADSTS7000215/);
  const staticWorld = await startEmulatorHarness({ staticTokens: ['handed-over-token'] });
  try {
    const client = staticWorld.client({ getToken: async () => ({ token: 'handed-over-token', expiresOnTimestamp: Date.now() + 3600_000 }) });
    await client.locations.get('westus');
    assert.equal(staticWorld.emulator.authLog.map((a) => a.kind), ['static']);
  } finally {
    await staticWorld.stop();
  }
});

test('auth: ClientCertificateCredential signs a client assertion the token service verifies; a foreign certificate is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'offlineseed-sp-'));
  try {
    const registered = makeClientCertificate(dir, 'offlineseed-sp');
    const foreign = makeClientCertificate(dir, 'someone-else');
    h.emulator.tokenService.principals.push({ tenantId: h.principal.tenantId, clientId: 'cert-client', certificatePem: registered.certPem });
    const options = { authorityHost: h.emulator.authorityHost, disableInstanceDiscovery: true };
    const good = new ClientCertificateCredential(h.principal.tenantId, 'cert-client', { certificate: registered.combinedPem }, options);
    assert.is((await h.client(good).locations.get('westus')).name, 'West US');
    assert.ok(h.emulator.tokenService.issued.some((t) => t.clientId === 'cert-client'));
    const bad = new ClientCertificateCredential(h.principal.tenantId, 'cert-client', { certificate: foreign.combinedPem }, options);
    const failure = await h.client(bad).locations.get('westus').then(() => undefined, (e: Error) => e);
    assert.match(String(failure?.message), /AADSTS7000215/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
