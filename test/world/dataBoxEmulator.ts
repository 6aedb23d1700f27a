/**
 * Microsoft.DataBox emulator for customer-disk import jobs (SKU DataBoxCustomerDisk): an HTTPS ARM
 * server for the job operations of reference databox.md §1.2, with the long-running-operation wire
 * pattern that production uses and @azure/arm-databox 5.x polls (§1.3–1.4), the validation of §6, the
 * state machine and timers of §2.6/§6.11–14, and plain-function hooks for the simulated datacenter
 * (dataBoxDatacenter.ts). It shares the world's token service (tokens are checked the same way as by
 * the Import/Export emulator) but listens on its own port (world.env OFFLINESEED_DATABOX_ENDPOINT).
 *
 * Decisions on the open points of databox.md §7 (and other undocumented behaviour):
 * - api-versions 2022-12-01 … 2025-07-01 (what 5.0.0, 5.1.0 and the spec use); others → 400
 *   InvalidApiVersionParameter.
 * - LRO: PUT and PATCH answer 202, no body, Location = …/locations/{loc}/operationResults/{id} and
 *   Retry-After (`retryAfterSeconds`, default 0: the SDK then polls at its own updateIntervalInMs);
 *   that URL answers 202 `pendingPolls` times (default 1) with the same Location, then 202 with
 *   Location = the job URL (the production handover), whose GET gives the 200 result. DELETE: 202 +
 *   Location …/operationResults/{id}-deleteorder, whose poll answers 204 (`deleteMode: 'immediate'`
 *   answers 204 at once, the 2025 recording). Operation results are kept forever (never 404).
 * - Status order (no recording exists): AwaitingShipmentDetails → (markDevicesShipped)
 *   ShippedToAzureDC → AtAzureDC → DataCopy → PreparingToShipFromAzureDC → ShippedToCustomer →
 *   Completed | CompletedWithWarnings | CompletedWithErrors | Failed_IssueDetectedAtAzureDC. Cancel
 *   (POST cancel, reason required) only in AwaitingShipmentDetails → Cancelled; elsewhere 409
 *   InvalidJobState ("isCancellable is false"). DELETE only when isDeletable (terminal states,
 *   Cancelled, Aborted); elsewhere 409 InvalidJobState. Unknown job → 404 ResourceNotFound.
 * - PUT on an existing job name → 409 JobAlreadyExists ("existing job cannot be updated with this
 *   API"). jobName 3–24 of ^[-\w.]+$ → else 400 InvalidJobName.
 * - Required (400 InvalidRequestContent, per field, all reported): location, sku.name =
 *   DataBoxCustomerDisk (other SKUs → 400 SkuNotSupported), transferType ImportToAzure,
 *   details.jobDetailsType DataBoxCustomerDisk, contactDetails {contactName, phone, emailList≥1},
 *   shippingAddress {streetAddress1, country} when given, ≥1 dataImportDetails StorageAccount whose
 *   storageAccountId names an account the world serves (400 StorageAccountNotFound), a non-empty
 *   importDiskDetailsCollection, each disk {manifestFile, manifestHash = 32 hex digits, bitLockerKey
 *   = 8 groups of 6 digits}, returnToCustomerPackageDetails {carrierName, carrierAccountNumber}.
 * - Secrets (bitLockerKey, carrierAccountNumber, sharePassword) are never echoed: only POST
 *   listCredentials returns them (jobSecretsType DataBoxCustomerDisk).
 * - markDevicesShipped: only in AwaitingShipmentDetails (else 409 InvalidJobState), carrierName and
 *   trackingId required (400), a trackingId another job holds (any subscription, case-insensitive) →
 *   409 TrackingNumberInUse. Answer 204.
 * - PATCH: contactDetails, shippingAddress (only while isShippingAddressEditable, i.e. before
 *   PreparingToShipFromAzureDC), returnToCustomerPackageDetails, tags; anything else is ignored.
 * - Timers (virtual clock): 14 days in AwaitingShipmentDetails → the job is deleted; 90 days after a
 *   terminal status → deleted.
 * - Lists: `defaultPageSize` (100) per page, nextLink with $skipToken.
 * - POST …/resourceGroups/{rg}/providers/Microsoft.DataBox/locations/{loc}/availableSkus
 *   {transferType, country, location}: DataBoxCustomerDisk enabled where `customerDiskLocations`
 *   (default: the Import/Export shipping sites) has the region, else disabledReason Region.
 */
import { randomUUID } from 'node:crypto';
import { FaultInjector } from './faultInjection.ts';
import { listenHttps } from './httpsListener.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TestCertificates } from './certs.ts';
import { createVirtualClock, DAY_MS, type VirtualClock } from './clock.ts';
import { ARM_AUDIENCES, type JobRef } from './importExportEmulator.ts';
import { decodeToken, mintToken } from './jwt.ts';
import { defaultLocations, normalizeLocationName } from './locations.ts';
import type { TokenService } from './tokenService.ts';

export const DATABOX_API_VERSIONS = ['2022-12-01', '2023-03-01', '2023-12-01', '2025-02-01', '2025-07-01'];
export const COPY_LOG_CONTAINER = 'databoxcopylog';

export type StageName =
  | 'AwaitingShipmentDetails' | 'ShippedToAzureDC' | 'AtAzureDC' | 'DataCopy' | 'PreparingToShipFromAzureDC' | 'ShippedToCustomer'
  | 'Completed' | 'CompletedWithWarnings' | 'CompletedWithErrors' | 'Failed_IssueDetectedAtAzureDC' | 'Cancelled' | 'Aborted';

const PATH: readonly StageName[] = ['AwaitingShipmentDetails', 'ShippedToAzureDC', 'AtAzureDC', 'DataCopy', 'PreparingToShipFromAzureDC', 'ShippedToCustomer'];
const TERMINAL: readonly StageName[] = ['Completed', 'CompletedWithWarnings', 'CompletedWithErrors', 'Failed_IssueDetectedAtAzureDC', 'Cancelled', 'Aborted'];

const DISPLAY: Record<StageName, string> = {
  AwaitingShipmentDetails: 'Awaiting shipment information', ShippedToAzureDC: 'Shipped', AtAzureDC: 'Received', DataCopy: 'Data copy in progress',
  PreparingToShipFromAzureDC: 'Preparing to ship', ShippedToCustomer: 'Shipped to customer', Completed: 'Completed', CompletedWithWarnings: 'Completed with warnings',
  CompletedWithErrors: 'Completed with errors', Failed_IssueDetectedAtAzureDC: 'Failed', Cancelled: 'Canceled', Aborted: 'Aborted',
};

export interface DiskRecord {
  serialNumber: string;
  manifestFile: string;
  manifestHash: string;
  /** Secret: only listCredentials returns it. */
  bitLockerKey: string;
  backupManifestCloudPath?: string;
}

export interface CopyProgress {
  serialNumber: string;
  copyStatus: string;
  storageAccountName: string;
  bytesProcessed: number;
  totalBytesToProcess: number;
  filesProcessed: number;
  totalFilesToProcess: number;
  filesErroredOut: number;
}

export interface CopyLogLinks {
  serialNumber: string;
  errorLogLink: string;
  verboseLogLink?: string;
}

export interface DataBoxJobRecord {
  subscriptionId: string;
  resourceGroupName: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  systemData: { createdBy: string; createdByType: string; createdAt: string; lastModifiedBy: string; lastModifiedByType: string; lastModifiedAt: string };
  status: StageName;
  startTime: string;
  cancellationReason?: string;
  stageTimes: Partial<Record<StageName, string>>;
  contactDetails: Record<string, unknown>;
  shippingAddress?: Record<string, unknown>;
  storageAccountId: string;
  logCollectionLevel: 'Error' | 'Verbose';
  enableManifestBackup: boolean;
  disks: DiskRecord[];
  returnCarrierName: string;
  /** Secret. */
  returnCarrierAccountNumber: string;
  returnTrackingId?: string;
  deliverToDc?: { carrierName: string; trackingId: string };
  copyProgress: CopyProgress[];
  copyLogDetails: CopyLogLinks[];
  timers: { finishedAt?: number; awaitingSince?: number };
}

export interface DataBoxRequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  errorCode?: string;
}

export interface DataBoxEmulatorOptions {
  certificates: TestCertificates;
  tokenService: TokenService;
  clock?: VirtualClock;
  storageAccounts?: string[];
  tenantId?: string;
  retryAfterSeconds?: number;
  pendingPolls?: number;
  deleteMode?: 'lro' | 'immediate';
  defaultPageSize?: number;
  timers?: { awaitingExpiryMs?: number; retentionMs?: number };
  /** Regions where DataBoxCustomerDisk is offered (availableSkus); default: the Import/Export shipping sites. */
  customerDiskLocations?: readonly string[];
}

export interface DataBoxEmulator {
  endpoint: string;
  port: number;
  clock: VirtualClock;
  requests: DataBoxRequestRecord[];
  /** Fault tests: answer the next requests with 500, 503 or 429 (faultInjection.ts). */
  faults: FaultInjector;
  getJob(ref: JobRef): DataBoxJobRecord | undefined;
  requireJob(ref: JobRef): DataBoxJobRecord;
  listJobs(): DataBoxJobRecord[];
  /** Moves the job to `status` (a datacenter hook: no transition checks). */
  setStatus(ref: JobRef, status: StageName): void;
  setCopyProgress(ref: JobRef, progress: CopyProgress): void;
  setCopyLog(ref: JobRef, links: CopyLogLinks): void;
  setDisk(ref: JobRef, serialNumber: string, patch: Partial<Omit<DiskRecord, 'serialNumber'>>): void;
  setReturnTracking(ref: JobRef, trackingId: string): void;
  advance(ms: number): void;
  sweep(): void;
  mintArmToken(): string;
  stop(): Promise<void>;
}

interface Failure { code: string; message: string; target?: string }

class HttpFailure extends Error {
  readonly status: number;
  readonly failures: Failure[];
  constructor(status: number, failures: Failure[]) {
    super(failures[0]?.message ?? 'error');
    this.status = status;
    this.failures = failures;
  }
}

function fail(status: number, code: string, message: string, target?: string): never {
  throw new HttpFailure(status, [{ code, message, ...(target === undefined ? {} : { target }) }]);
}

function errorBody(failures: readonly Failure[]): unknown {
  const first = failures[0]!;
  return { error: { code: first.code, message: first.message, ...(first.target ? { target: first.target } : {}), ...(failures.length > 1 ? { details: failures.map((f) => ({ ...f })) } : {}) } };
}

export function isTerminal(status: StageName): boolean {
  return TERMINAL.includes(status);
}

function refKey(ref: JobRef): string {
  return `${ref.subscriptionId}/${ref.resourceGroupName}/${ref.jobName}`.toLowerCase();
}

const STORAGE_ACCOUNT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/([a-z0-9]{3,24})$/i;

export function storageAccountOf(id: string): string | undefined {
  return STORAGE_ACCOUNT_ID.exec(id)?.[1]?.toLowerCase();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/** The datacenter every job ships to (one site is enough for the tests; the shape is what matters). */
const DATACENTER_ADDRESS = {
  datacenterAddressType: 'DatacenterAddressLocation',
  contactPersonName: 'Microsoft Azure Data Box Import/Export',
  company: 'Microsoft',
  street1: '4800 Quincy Rd',
  street2: 'Dock 3',
  city: 'Quincy',
  state: 'WA',
  zip: '98848',
  country: 'US',
  phone: '4255550100',
  additionalShippingInformation: 'Write the order name on the package.',
  supportedCarriersForReturnShipment: ['FedEx', 'UPS', 'DHL'],
  dataCenterAzureLocation: 'westus',
};

interface ParsedCreate {
  location: string;
  tags: Record<string, string>;
  contactDetails: Record<string, unknown>;
  shippingAddress?: Record<string, unknown>;
  storageAccountId: string;
  logCollectionLevel: 'Error' | 'Verbose';
  enableManifestBackup: boolean;
  disks: DiskRecord[];
  returnCarrierName: string;
  returnCarrierAccountNumber: string;
}

function parseContact(v: unknown, target: string, failures: Failure[]): Record<string, unknown> | undefined {
  if (!isObject(v)) {
    failures.push({ code: 'InvalidRequestContent', target, message: `${target} is required.` });
    return undefined;
  }
  if (!nonEmpty(v.contactName)) failures.push({ code: 'InvalidRequestContent', target: `${target}.contactName`, message: 'contactName is required.' });
  if (!nonEmpty(v.phone)) failures.push({ code: 'InvalidRequestContent', target: `${target}.phone`, message: 'phone is required.' });
  if (!Array.isArray(v.emailList) || v.emailList.length === 0 || !v.emailList.every(nonEmpty)) failures.push({ code: 'InvalidRequestContent', target: `${target}.emailList`, message: 'emailList needs at least one address.' });
  return { ...v };
}

function parseAddress(v: unknown, target: string, failures: Failure[]): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    failures.push({ code: 'InvalidRequestContent', target, message: `${target} must be an object.` });
    return undefined;
  }
  if (!nonEmpty(v.streetAddress1)) failures.push({ code: 'InvalidRequestContent', target: `${target}.streetAddress1`, message: 'streetAddress1 is required.' });
  if (!nonEmpty(v.country)) failures.push({ code: 'InvalidRequestContent', target: `${target}.country`, message: 'country is required.' });
  return { addressType: 'None', ...v };
}

export function parseCreate(body: unknown, storageAccounts: readonly string[] | undefined): ParsedCreate | Failure[] {
  const failures: Failure[] = [];
  const need = (target: string, message: string): void => {
    failures.push({ code: 'InvalidRequestContent', target, message });
  };
  if (!isObject(body)) return [{ code: 'InvalidRequestContent', message: 'The request body must be a JSON object.' }];
  if (!nonEmpty(body.location)) need('location', 'location is required.');
  const sku = body.sku;
  if (!isObject(sku) || !nonEmpty(sku.name)) need('sku.name', 'sku.name is required.');
  else if (sku.name !== 'DataBoxCustomerDisk') return [{ code: 'SkuNotSupported', target: 'sku.name', message: `This emulator serves DataBoxCustomerDisk jobs only, not ${String(sku.name)}.` }];
  const p = isObject(body.properties) ? body.properties : {};
  if (p.transferType !== 'ImportToAzure') need('properties.transferType', `transferType must be ImportToAzure for a customer-disk import (got ${String(p.transferType)}).`);
  const d = isObject(p.details) ? p.details : undefined;
  if (d === undefined || d.jobDetailsType !== 'DataBoxCustomerDisk') {
    need('properties.details.jobDetailsType', 'details.jobDetailsType must be DataBoxCustomerDisk for the DataBoxCustomerDisk SKU.');
    return failures;
  }
  const contactDetails = parseContact(d.contactDetails, 'properties.details.contactDetails', failures);
  const shippingAddress = parseAddress(d.shippingAddress, 'properties.details.shippingAddress', failures);
  let storageAccountId = '';
  let logCollectionLevel: 'Error' | 'Verbose' = 'Error';
  const imports = Array.isArray(d.dataImportDetails) ? d.dataImportDetails : [];
  const account = imports.map((x) => (isObject(x) && isObject(x.accountDetails) ? x : undefined)).find((x) => x !== undefined && (x.accountDetails as Record<string, unknown>).dataAccountType === 'StorageAccount');
  if (account === undefined) need('properties.details.dataImportDetails', 'An import needs one dataImportDetails entry with a StorageAccount.');
  else {
    storageAccountId = String((account.accountDetails as Record<string, unknown>).storageAccountId ?? '');
    const name = storageAccountOf(storageAccountId);
    if (name === undefined) need('properties.details.dataImportDetails[0].accountDetails.storageAccountId', `'${storageAccountId}' is not a storage account id.`);
    else if (storageAccounts !== undefined && !storageAccounts.includes(name)) {
      failures.push({ code: 'StorageAccountNotFound', target: 'properties.details.dataImportDetails[0].accountDetails.storageAccountId', message: `The storage account '${name}' was not found.` });
    }
    if (account.logCollectionLevel !== undefined && account.logCollectionLevel !== 'Error' && account.logCollectionLevel !== 'Verbose') need('properties.details.dataImportDetails[0].logCollectionLevel', 'logCollectionLevel is Error or Verbose.');
    if (account.logCollectionLevel === 'Verbose') logCollectionLevel = 'Verbose';
  }
  const disks: DiskRecord[] = [];
  const collection = isObject(d.importDiskDetailsCollection) ? d.importDiskDetailsCollection : {};
  if (Object.keys(collection).length === 0) need('properties.details.importDiskDetailsCollection', 'An import needs at least one disk.');
  for (const [serial, disk] of Object.entries(collection)) {
    const t = `properties.details.importDiskDetailsCollection.${serial}`;
    if (!isObject(disk)) {
      need(t, 'Each disk needs manifestFile, manifestHash and bitLockerKey.');
      continue;
    }
    if (!nonEmpty(disk.manifestFile)) need(`${t}.manifestFile`, 'manifestFile is required.');
    if (typeof disk.manifestHash !== 'string' || !/^[0-9a-fA-F]{32}$/.test(disk.manifestHash)) need(`${t}.manifestHash`, 'manifestHash is the MD5 of the manifest file, 32 hex digits.');
    if (typeof disk.bitLockerKey !== 'string' || !/^\d{6}(-\d{6}){7}$/.test(disk.bitLockerKey)) need(`${t}.bitLockerKey`, 'bitLockerKey is a BitLocker recovery password (8 groups of 6 digits).');
    disks.push({ serialNumber: serial, manifestFile: String(disk.manifestFile ?? ''), manifestHash: String(disk.manifestHash ?? '').toUpperCase(), bitLockerKey: String(disk.bitLockerKey ?? '') });
  }
  const ret = isObject(d.returnToCustomerPackageDetails) ? d.returnToCustomerPackageDetails : undefined;
  if (ret === undefined) need('properties.details.returnToCustomerPackageDetails', 'returnToCustomerPackageDetails is required.');
  else {
    if (!nonEmpty(ret.carrierName)) need('properties.details.returnToCustomerPackageDetails.carrierName', 'The return carrier is required.');
    if (!nonEmpty(ret.carrierAccountNumber)) need('properties.details.returnToCustomerPackageDetails.carrierAccountNumber', 'The return carrier account number is required.');
  }
  const tags = isObject(body.tags) ? Object.fromEntries(Object.entries(body.tags).map(([k, v]) => [k, String(v)])) : {};
  if (failures.length > 0) return failures;
  return {
    location: String(body.location),
    tags,
    contactDetails: contactDetails!,
    ...(shippingAddress === undefined ? {} : { shippingAddress }),
    storageAccountId,
    logCollectionLevel,
    enableManifestBackup: d.enableManifestBackup === true,
    disks,
    returnCarrierName: String(ret!.carrierName),
    returnCarrierAccountNumber: String(ret!.carrierAccountNumber),
  };
}

type Route =
  | { kind: 'jobs'; subscriptionId: string; resourceGroupName?: string }
  | { kind: 'job'; ref: JobRef }
  | { kind: 'action'; ref: JobRef; action: string }
  | { kind: 'operation'; id: string }
  | { kind: 'availableSkus'; location: string };

function eq(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

export function matchDataBoxRoute(path: string): Route | undefined {
  const s = path.split('/').slice(1).map((p) => decodeURIComponent(p));
  if (s.at(-1) === '') s.pop();
  if (!eq(s[0], 'subscriptions') || !s[1]) return undefined;
  const subscriptionId = s[1];
  const provider = (i: number): boolean => eq(s[i], 'providers') && eq(s[i + 1], 'Microsoft.DataBox');
  if (provider(2)) {
    if (s.length === 5 && eq(s[4], 'jobs')) return { kind: 'jobs', subscriptionId };
    if (s.length === 8 && eq(s[4], 'locations') && eq(s[6], 'operationResults')) return { kind: 'operation', id: s[7]! };
    return undefined;
  }
  if (s.length === 9 && eq(s[2], 'resourceGroups') && s[3] && provider(4) && eq(s[6], 'locations') && eq(s[8], 'availableSkus')) return { kind: 'availableSkus', location: s[7]! };
  if (!eq(s[2], 'resourceGroups') || !s[3] || !provider(4) || !eq(s[6], 'jobs')) return undefined;
  const resourceGroupName = s[3];
  if (s.length === 7) return { kind: 'jobs', subscriptionId, resourceGroupName };
  const ref = { subscriptionId, resourceGroupName, jobName: s[7]! };
  if (s.length === 8) return { kind: 'job', ref };
  if (s.length === 9) return { kind: 'action', ref, action: s[8]!.toLowerCase() };
  return undefined;
}

interface Operation {
  location: string;
  kind: 'job' | 'delete';
  jobUrl: string;
  pollsLeft: number;
}

export async function startDataBoxEmulator(options: DataBoxEmulatorOptions): Promise<DataBoxEmulator> {
  const clock = options.clock ?? createVirtualClock();
  const retryAfter = String(options.retryAfterSeconds ?? 0);
  const pendingPolls = options.pendingPolls ?? 1;
  const deleteMode = options.deleteMode ?? 'lro';
  const pageSize = options.defaultPageSize ?? 100;
  const awaitingExpiryMs = options.timers?.awaitingExpiryMs ?? 14 * DAY_MS;
  const retentionMs = options.timers?.retentionMs ?? 90 * DAY_MS;
  const storageAccounts = options.storageAccounts?.map((a) => a.toLowerCase());
  const customerDiskLocations = (options.customerDiskLocations ?? defaultLocations().map((l) => l.name)).map(normalizeLocationName);
  const tenantId = options.tenantId ?? '72f988bf-0000-4000-8000-00000000c0de';
  const jobs = new Map<string, DataBoxJobRecord>();
  const operations = new Map<string, Operation>();
  const requests: DataBoxRequestRecord[] = [];
  let origin = '';
  const iso = (ms: number): string => new Date(ms).toISOString();

  const jobPath = (j: { subscriptionId: string; resourceGroupName: string; name: string }): string =>
    `/subscriptions/${j.subscriptionId}/resourceGroups/${j.resourceGroupName}/providers/Microsoft.DataBox/jobs/${j.name}`;

  const enter = (job: DataBoxJobRecord, status: StageName): void => {
    if (job.status === status) return;
    job.status = status;
    job.stageTimes[status] = iso(clock.now());
    if (isTerminal(status)) job.timers.finishedAt = clock.now();
    else delete job.timers.finishedAt;
    if (status !== 'AwaitingShipmentDetails') delete job.timers.awaitingSince;
  };

  const sweep = (): void => {
    const now = clock.now();
    for (const [key, job] of [...jobs]) {
      if (job.status === 'AwaitingShipmentDetails' && job.timers.awaitingSince !== undefined && job.timers.awaitingSince + awaitingExpiryMs <= now) jobs.delete(key);
      else if (job.timers.finishedAt !== undefined && job.timers.finishedAt + retentionMs <= now) jobs.delete(key);
    }
  };

  const flags = (job: DataBoxJobRecord): Record<string, boolean> => ({
    isCancellable: job.status === 'AwaitingShipmentDetails',
    isCancellableWithoutFee: job.status === 'AwaitingShipmentDetails',
    isDeletable: isTerminal(job.status),
    isShippingAddressEditable: PATH.indexOf(job.status) >= 0 && PATH.indexOf(job.status) < PATH.indexOf('PreparingToShipFromAzureDC'),
    isPrepareToShipEnabled: false,
  });

  const stages = (job: DataBoxJobRecord): unknown[] => {
    const end: StageName = isTerminal(job.status) ? job.status : 'Completed';
    const names: StageName[] = job.status === 'Cancelled' || job.status === 'Aborted'
      ? ['AwaitingShipmentDetails', job.status]
      : [...PATH, end];
    const current = names.indexOf(job.status);
    return names.map((stageName, i) => ({
      stageName,
      displayName: DISPLAY[stageName],
      stageStatus: i < current || (i === current && isTerminal(job.status)) ? (stageName === 'CompletedWithErrors' ? 'SucceededWithErrors' : stageName === 'Failed_IssueDetectedAtAzureDC' ? 'Failed' : stageName === 'Cancelled' ? 'Cancelled' : 'Succeeded') : i === current ? 'InProgress' : 'None',
      ...(job.stageTimes[stageName] === undefined ? {} : { stageTime: job.stageTimes[stageName] }),
    }));
  };

  const toWire = (job: DataBoxJobRecord): unknown => ({
    id: jobPath(job),
    name: job.name,
    type: 'Microsoft.DataBox/jobs',
    location: job.location,
    tags: { ...job.tags },
    sku: { name: 'DataBoxCustomerDisk', displayName: 'Import/Export job in Azure Data Box' },
    identity: { type: 'None' },
    systemData: { ...job.systemData },
    properties: {
      transferType: 'ImportToAzure',
      ...flags(job),
      status: job.status,
      startTime: job.startTime,
      ...(job.cancellationReason === undefined ? {} : { cancellationReason: job.cancellationReason }),
      deliveryType: 'NonScheduled',
      details: {
        jobDetailsType: 'DataBoxCustomerDisk',
        jobStages: stages(job),
        contactDetails: { notificationPreference: [], ...job.contactDetails },
        ...(job.shippingAddress === undefined ? {} : { shippingAddress: { ...job.shippingAddress } }),
        dataImportDetails: [{ accountDetails: { dataAccountType: 'StorageAccount', storageAccountId: job.storageAccountId }, logCollectionLevel: job.logCollectionLevel }],
        importDiskDetailsCollection: Object.fromEntries(job.disks.map((d) => [d.serialNumber, {
          manifestFile: d.manifestFile, manifestHash: d.manifestHash, ...(d.backupManifestCloudPath === undefined ? {} : { backupManifestCloudPath: d.backupManifestCloudPath }),
        }])),
        returnToCustomerPackageDetails: { carrierName: job.returnCarrierName, ...(job.returnTrackingId === undefined ? {} : { trackingId: job.returnTrackingId }) },
        enableManifestBackup: job.enableManifestBackup,
        ...(job.deliverToDc === undefined ? {} : { deliverToDcPackageDetails: { ...job.deliverToDc } }),
        ...(job.deliverToDc === undefined ? {} : { deliveryPackage: { carrierName: job.deliverToDc.carrierName, trackingId: job.deliverToDc.trackingId, trackingUrl: '' } }),
        ...(job.returnTrackingId === undefined ? {} : { returnPackage: { carrierName: job.returnCarrierName, trackingId: job.returnTrackingId, trackingUrl: '' } }),
        copyProgress: job.copyProgress.map((c) => ({ transferType: 'ImportToAzure', dataAccountType: 'StorageAccount', accountId: job.storageAccountId, ...c })),
        copyLogDetails: job.copyLogDetails.map((c) => ({ copyLogDetailsType: 'DataBoxCustomerDisk', ...c })),
        datacenterAddress: { ...DATACENTER_ADDRESS },
        dataCenterCode: 'MWH01',
        keyEncryptionKey: { kekType: 'MicrosoftManaged' },
        preferences: {},
        actions: [],
      },
    },
  });

  const authenticate = (req: IncomingMessage): string => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) fail(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or not a Bearer token.");
    const claims = decodeToken(m[1]!);
    if (!claims) fail(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    if (typeof claims.aud !== 'string' || ![...ARM_AUDIENCES, origin, `${origin}/`].includes(claims.aud)) {
      fail(401, 'InvalidAuthenticationTokenAudience', `The access token has been obtained for the wrong audience or resource '${String(claims.aud)}'.`);
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) fail(401, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.');
    return typeof claims.upn === 'string' ? claims.upn : typeof claims.appid === 'string' ? claims.appid : 'unknown';
  };

  const requireJob = (ref: JobRef): DataBoxJobRecord => {
    const job = jobs.get(refKey(ref));
    if (!job) fail(404, 'ResourceNotFound', `The Resource 'Microsoft.DataBox/jobs/${ref.jobName}' under resource group '${ref.resourceGroupName}' was not found.`);
    return job;
  };

  const startOperation = (location: string, kind: Operation['kind'], jobUrl: string, subscriptionId: string): Record<string, string> => {
    const id = `${randomUUID()}${kind === 'delete' ? '-deleteorder' : ''}`;
    operations.set(id, { location, kind, jobUrl, pollsLeft: pendingPolls });
    const slug = location.replace(/\s+/g, '').toLowerCase();
    return { Location: `${origin}/subscriptions/${subscriptionId}/providers/Microsoft.DataBox/locations/${slug}/operationResults/${id}?api-version=${DATABOX_API_VERSIONS[0]}`, 'Retry-After': retryAfter };
  };

  const createJob = (ref: JobRef, body: unknown, caller: string, apiVersion: string): Record<string, string> => {
    if (ref.jobName.length < 3 || ref.jobName.length > 24 || !/^[-\w.]+$/.test(ref.jobName)) {
      fail(400, 'InvalidJobName', `The job name '${ref.jobName}' is invalid: use 3 to 24 letters, digits, hyphens, underscores or periods.`);
    }
    if (jobs.has(refKey(ref))) fail(409, 'JobAlreadyExists', `The job '${ref.jobName}' exists already; an existing job cannot be updated with this API.`);
    const parsed = parseCreate(body, storageAccounts);
    if (Array.isArray(parsed)) throw new HttpFailure(400, parsed);
    const now = iso(clock.now());
    const job: DataBoxJobRecord = {
      subscriptionId: ref.subscriptionId,
      resourceGroupName: ref.resourceGroupName,
      name: ref.jobName,
      location: parsed.location,
      tags: parsed.tags,
      systemData: { createdBy: caller, createdByType: 'Application', createdAt: now, lastModifiedBy: caller, lastModifiedByType: 'Application', lastModifiedAt: now },
      status: 'AwaitingShipmentDetails',
      startTime: now,
      stageTimes: { AwaitingShipmentDetails: now },
      contactDetails: parsed.contactDetails,
      ...(parsed.shippingAddress === undefined ? {} : { shippingAddress: parsed.shippingAddress }),
      storageAccountId: parsed.storageAccountId,
      logCollectionLevel: parsed.logCollectionLevel,
      enableManifestBackup: parsed.enableManifestBackup,
      disks: parsed.disks,
      returnCarrierName: parsed.returnCarrierName,
      returnCarrierAccountNumber: parsed.returnCarrierAccountNumber,
      copyProgress: [],
      copyLogDetails: [],
      timers: { awaitingSince: clock.now() },
    };
    jobs.set(refKey(ref), job);
    return startOperation(job.location, 'job', `${origin}${jobPath(job)}?api-version=${apiVersion}`, ref.subscriptionId);
  };

  const updateJob = (ref: JobRef, body: unknown, caller: string, apiVersion: string): Record<string, string> => {
    const job = requireJob(ref);
    if (!isObject(body)) fail(400, 'InvalidRequestContent', 'The request body must be a JSON object.');
    const failures: Failure[] = [];
    const details = isObject(body.properties) && isObject(body.properties.details) ? body.properties.details : {};
    const contact = details.contactDetails === undefined ? undefined : parseContact(details.contactDetails, 'properties.details.contactDetails', failures);
    const address = parseAddress(details.shippingAddress, 'properties.details.shippingAddress', failures);
    const ret = details.returnToCustomerPackageDetails;
    if (ret !== undefined && (!isObject(ret) || !nonEmpty(ret.carrierName))) failures.push({ code: 'InvalidRequestContent', target: 'properties.details.returnToCustomerPackageDetails.carrierName', message: 'The return carrier is required.' });
    if (failures.length > 0) throw new HttpFailure(400, failures);
    if (address !== undefined && !flags(job).isShippingAddressEditable) fail(409, 'InvalidJobState', `The shipping address cannot be changed once the disks are on their way back (status ${job.status}).`, 'properties.details.shippingAddress');
    if (isObject(body.tags)) job.tags = Object.fromEntries(Object.entries(body.tags).map(([k, v]) => [k, String(v)]));
    if (contact !== undefined) job.contactDetails = contact;
    if (address !== undefined) job.shippingAddress = address;
    if (isObject(ret)) {
      job.returnCarrierName = String(ret.carrierName);
      if (nonEmpty(ret.carrierAccountNumber)) job.returnCarrierAccountNumber = ret.carrierAccountNumber;
    }
    job.systemData.lastModifiedBy = caller;
    job.systemData.lastModifiedAt = iso(clock.now());
    return startOperation(job.location, 'job', `${origin}${jobPath(job)}?api-version=${apiVersion}`, ref.subscriptionId);
  };

  const trackingOwner = (trackingId: string, self: DataBoxJobRecord): DataBoxJobRecord | undefined =>
    [...jobs.values()].find((j) => j !== self && j.deliverToDc?.trackingId.toLowerCase() === trackingId.trim().toLowerCase());

  const action = (ref: JobRef, name: string, body: unknown): { status: number; body?: unknown } => {
    const job = requireJob(ref);
    const b = isObject(body) ? body : {};
    if (name === 'markdevicesshipped') {
      const pkg = isObject(b.deliverToDcPackageDetails) ? b.deliverToDcPackageDetails : {};
      const failures: Failure[] = [];
      if (!nonEmpty(pkg.carrierName)) failures.push({ code: 'InvalidRequestContent', target: 'deliverToDcPackageDetails.carrierName', message: 'The carrier is required.' });
      if (!nonEmpty(pkg.trackingId)) failures.push({ code: 'InvalidRequestContent', target: 'deliverToDcPackageDetails.trackingId', message: 'The tracking number is required.' });
      if (failures.length > 0) throw new HttpFailure(400, failures);
      if (job.status !== 'AwaitingShipmentDetails') fail(409, 'InvalidJobState', `The devices can be marked shipped only while the job awaits shipment details (it is ${job.status}).`);
      const owner = trackingOwner(String(pkg.trackingId), job);
      if (owner) fail(409, 'TrackingNumberInUse', `The tracking number '${String(pkg.trackingId)}' is already used by job '${owner.name}'; every job needs its own package and tracking number.`, 'deliverToDcPackageDetails.trackingId');
      job.deliverToDc = { carrierName: String(pkg.carrierName).trim(), trackingId: String(pkg.trackingId).trim() };
      enter(job, 'ShippedToAzureDC');
      return { status: 204 };
    }
    if (name === 'cancel') {
      if (!nonEmpty(b.reason)) fail(400, 'InvalidRequestContent', 'A cancellation reason is required.', 'reason');
      if (job.status !== 'AwaitingShipmentDetails') fail(409, 'InvalidJobState', `The job cannot be cancelled: it is ${job.status} and isCancellable is false (a job can be cancelled only before the disks are shipped).`);
      job.cancellationReason = String(b.reason);
      enter(job, 'Cancelled');
      return { status: 204 };
    }
    if (name === 'listcredentials') {
      return {
        status: 200,
        body: {
          value: [{
            jobName: job.name,
            jobSecrets: {
              jobSecretsType: 'DataBoxCustomerDisk',
              diskSecrets: job.disks.map((d) => ({ diskSerialNumber: d.serialNumber, bitLockerKey: d.bitLockerKey })),
              carrierAccountNumber: job.returnCarrierAccountNumber,
              dcAccessSecurityCode: {},
            },
          }],
        },
      };
    }
    fail(404, 'NotFound', `No Microsoft.DataBox job action '${name}'.`);
  };

  const deleteJob = (ref: JobRef, apiVersion: string): { status: number; headers: Record<string, string> } => {
    const job = requireJob(ref);
    if (!isTerminal(job.status)) fail(409, 'InvalidJobState', `The job cannot be deleted while it is ${job.status}: only completed or cancelled orders can be deleted.`);
    jobs.delete(refKey(ref));
    if (deleteMode === 'immediate') return { status: 204, headers: {} };
    return { status: 202, headers: startOperation(job.location, 'delete', `${origin}${jobPath(job)}?api-version=${apiVersion}`, ref.subscriptionId) };
  };

  const listPage = (url: URL, subscriptionId: string, resourceGroupName: string | undefined): unknown => {
    const after = url.searchParams.get('$skipToken');
    const selected = [...jobs.entries()]
      .filter(([, j]) => j.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() && (resourceGroupName === undefined || j.resourceGroupName.toLowerCase() === resourceGroupName.toLowerCase()))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .filter(([k]) => after === null || k > Buffer.from(after, 'base64url').toString('utf8'));
    const page = selected.slice(0, pageSize);
    const body: { value: unknown[]; nextLink?: string } = { value: page.map(([, j]) => toWire(j)) };
    if (selected.length > pageSize) {
      const next = new URL(url.pathname, origin);
      next.searchParams.set('api-version', url.searchParams.get('api-version') ?? DATABOX_API_VERSIONS[0]!);
      next.searchParams.set('$skipToken', Buffer.from(page.at(-1)![0]).toString('base64url'));
      body.nextLink = next.toString();
    }
    return body;
  };

  const faults = new FaultInjector();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', origin);
    const entry: DataBoxRequestRecord = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    requests.push(entry);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      res.writeHead(status, {
        'x-ms-request-id': randomUUID(),
        ...(body === undefined ? { 'content-length': '0' } : { 'content-type': 'application/json; charset=utf-8' }),
        ...headers,
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const bodyText = Buffer.concat(chunks).toString('utf8');
      const token = options.tokenService.handle(method, url.pathname, bodyText, origin);
      if (token) return send(token.status, token.body);
      const injected = faults.take(method, url.pathname);
      if (injected !== undefined) return send(injected.status, injected.body, injected.headers);
      const route = matchDataBoxRoute(url.pathname);
      if (!route) fail(404, 'NotFound', `No Microsoft.DataBox operation matches '${url.pathname}'.`);
      const caller = authenticate(req);
      const version = url.searchParams.get('api-version');
      if (version === null) fail(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
      if (!DATABOX_API_VERSIONS.includes(version)) fail(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid. The supported versions are '${DATABOX_API_VERSIONS.join(',')}'.`);
      sweep();
      let body: unknown;
      if (bodyText !== '') {
        try {
          body = JSON.parse(bodyText);
        } catch {
          fail(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
        }
      }
      switch (route.kind) {
        case 'jobs':
          if (method !== 'GET') fail(405, 'MethodNotAllowed', `The method ${method} is not allowed on this resource.`);
          return send(200, listPage(url, route.subscriptionId, route.resourceGroupName));
        case 'operation': {
          if (method !== 'GET') fail(405, 'MethodNotAllowed', `The method ${method} is not allowed on this resource.`);
          const op = operations.get(route.id);
          if (!op) fail(404, 'ResourceNotFound', `No operation ${route.id}.`);
          if (op.pollsLeft > 0) {
            op.pollsLeft--;
            return send(202, undefined, { Location: `${origin}${url.pathname}${url.search}`, 'Retry-After': retryAfter });
          }
          if (op.kind === 'delete') return send(204, undefined);
          return send(202, undefined, { Location: op.jobUrl, 'Retry-After': retryAfter });
        }
        case 'job':
          if (method === 'GET') return send(200, toWire(requireJob(route.ref)));
          if (method === 'PUT') return send(202, undefined, createJob(route.ref, body, caller, version));
          if (method === 'PATCH') return send(202, undefined, updateJob(route.ref, body, caller, version));
          if (method === 'DELETE') {
            const result = deleteJob(route.ref, version);
            return send(result.status, undefined, result.headers);
          }
          return fail(405, 'MethodNotAllowed', `The method ${method} is not allowed on this resource.`);
        case 'action': {
          if (method !== 'POST') fail(405, 'MethodNotAllowed', `The method ${method} is not allowed on this resource.`);
          const result = action(route.ref, route.action, body);
          return send(result.status, result.body);
        }
        case 'availableSkus': {
          if (method !== 'POST') fail(405, 'MethodNotAllowed', `The method ${method} is not allowed on this resource.`);
          return send(200, availableSkus(body));
        }
      }
    } catch (error) {
      if (error instanceof HttpFailure) {
        entry.errorCode = error.failures[0]?.code ?? '';
        send(error.status, errorBody(error.failures), error.status === 404 ? { 'x-ms-failure-cause': 'gateway' } : {});
      } else {
        entry.errorCode = 'InternalServerError';
        send(500, errorBody([{ code: 'InternalServerError', message: (error as Error).stack ?? String(error) }]));
      }
    }
  };

  /** POST …/locations/{location}/availableSkus {transferType, country, location}: which SKUs serve the region. */
  function availableSkus(body: unknown): { value: unknown[] } {
    const request = (body ?? {}) as Record<string, unknown>;
    for (const field of ['transferType', 'country', 'location']) {
      if (typeof request[field] !== 'string' || request[field] === '') fail(400, 'InvalidRequestContent', `availableSkuRequest.${field} is required.`);
    }
    const region = normalizeLocationName(String(request['location']));
    const offered = customerDiskLocations.includes(region);
    return {
      value: [{
        sku: { name: 'DataBoxCustomerDisk' },
        enabled: offered,
        properties: offered
          ? { dataLocationToServiceLocationMap: [{ dataLocation: region, serviceLocation: region }], apiVersions: DATABOX_API_VERSIONS }
          : { disabledReason: 'Region', disabledReasonMessage: `DataBoxCustomerDisk is not available in ${region}.` },
      }],
    };
  }

  const listener = await listenHttps(options.certificates, handle);
  origin = listener.origin;
  const unsubscribe = clock.onAdvance(() => sweep());

  const hook = (ref: JobRef): DataBoxJobRecord => {
    const job = jobs.get(refKey(ref));
    if (!job) throw new Error(`no Data Box job ${ref.subscriptionId}/${ref.resourceGroupName}/${ref.jobName}`);
    return job;
  };

  return {
    endpoint: origin,
    port: Number(new URL(origin).port),
    clock,
    requests,
    faults,
    getJob: (ref) => {
      const job = jobs.get(refKey(ref));
      return job ? structuredClone(job) : undefined;
    },
    requireJob: (ref) => structuredClone(hook(ref)),
    listJobs: () => [...jobs.values()].map((j) => structuredClone(j)),
    setStatus: (ref, status) => enter(hook(ref), status),
    setCopyProgress: (ref, progress) => {
      const job = hook(ref);
      job.copyProgress = [...job.copyProgress.filter((c) => c.serialNumber !== progress.serialNumber), progress];
    },
    setCopyLog: (ref, links) => {
      const job = hook(ref);
      job.copyLogDetails = [...job.copyLogDetails.filter((c) => c.serialNumber !== links.serialNumber), links];
    },
    setDisk: (ref, serialNumber, patch) => {
      const disk = hook(ref).disks.find((d) => d.serialNumber === serialNumber);
      if (!disk) throw new Error(`job ${ref.jobName} has no disk ${serialNumber}`);
      Object.assign(disk, patch);
    },
    setReturnTracking: (ref, trackingId) => {
      hook(ref).returnTrackingId = trackingId;
    },
    advance: (ms) => clock.advance(ms),
    sweep,
    mintArmToken: () => mintToken({ audience: 'https://management.azure.com/', tenantId, userPrincipalName: 'admin@contoso.example' }),
    stop: async () => {
      unsubscribe();
      await listener.close();
    },
  };
}
