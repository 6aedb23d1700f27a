/**
 * The Microsoft.ImportExport job model as the emulator stores it, the request validation of
 * reference §6 (8–13), and the wire form of responses (§1.2, §1.3, §6.4, §6.5). Pure functions only:
 * the server, timers and state changes live in importExportEmulator.ts.
 */

export const JOB_STATES = ['Creating', 'Shipping', 'Received', 'Transferring', 'Packaging', 'Completed', 'Closed', 'Faulted', 'Canceled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const DRIVE_STATES = ['Specified', 'Received', 'NeverReceived', 'Transferring', 'Completed', 'CompletedMoreInfo', 'ShippedBack'] as const;
export type DriveState = (typeof DRIVE_STATES)[number];

export interface ReturnAddress {
  recipientName: string;
  streetAddress1: string;
  streetAddress2?: string;
  city: string;
  stateOrProvince?: string;
  postalCode: string;
  countryOrRegion: string;
  phone: string;
  email: string;
}

export interface ReturnShipping {
  carrierName: string;
  carrierAccountNumber: string;
}

export interface ShippingInformation {
  recipientName: string;
  streetAddress1: string;
  streetAddress2: string;
  city: string;
  stateOrProvince: string;
  postalCode: string;
  countryOrRegion: string;
  phone: string;
  additionalInformation: string;
}

export interface DeliveryPackage {
  carrierName: string;
  trackingNumber: string;
  driveCount?: number;
  shipDate?: string;
}

export interface ReturnPackage {
  carrierName: string;
  trackingNumber: string;
  driveCount: number;
  shipDate: string;
}

export interface DriveRecord {
  driveId: string;
  /** Stored, never serialized except by listBitLockerKeys. */
  bitLockerKey?: string;
  manifestFile?: string;
  manifestHash?: string;
  driveHeaderHash?: string;
  state: DriveState;
  copyStatus?: string;
  percentComplete?: number;
  verboseLogUri?: string;
  errorLogUri?: string;
  manifestUri?: string;
  bytesSucceeded?: number;
}

export interface ExportSpec {
  blobListBlobPath?: string;
  blobList?: { blobPath?: string[]; blobPathPrefix?: string[] };
}

export interface EncryptionKey {
  kekType: 'MicrosoftManaged' | 'CustomerManaged';
  kekUrl?: string;
  kekVaultResourceID?: string;
}

export interface Identity {
  type: 'None' | 'SystemAssigned' | 'UserAssigned';
  principalId?: string;
  tenantId?: string;
}

export interface SystemData {
  createdBy: string;
  createdByType: string;
  createdAt: string;
  lastModifiedBy: string;
  lastModifiedByType: string;
  lastModifiedAt: string;
}

export interface JobProperties {
  storageAccountId: string;
  jobType: 'Import' | 'Export';
  returnAddress?: ReturnAddress;
  returnShipping?: ReturnShipping;
  shippingInformation?: ShippingInformation;
  deliveryPackage?: DeliveryPackage;
  returnPackage?: ReturnPackage;
  diagnosticsPath: string;
  logLevel: 'Error' | 'Verbose';
  backupDriveManifest: boolean;
  state: JobState;
  cancelRequested: boolean;
  percentComplete?: number;
  incompleteBlobListUri?: string;
  driveList: DriveRecord[];
  export?: ExportSpec;
  provisioningState: 'Succeeded';
  encryptionKey: EncryptionKey;
}

/** Virtual-clock instants (ms) driving the service timers. */
export interface JobTimers {
  /** Creating: deleted at this instant unless updated (14 days after the last PUT/PATCH). */
  creatingExpiresAt?: number;
  /** When the job entered Shipping (start of the 14-day receipt window). */
  shippedAt?: number;
  /** When undelivered drives were marked NeverReceived (start of the 30-day wait before Closed). */
  neverReceivedAt?: number;
  /** When the job reached Completed/Closed/Canceled (start of the 90-day retention). */
  finishedAt?: number;
}

export interface JobRecord {
  subscriptionId: string;
  resourceGroupName: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  identity: Identity;
  systemData: SystemData;
  properties: JobProperties;
  timers: JobTimers;
}

/** One validation failure; becomes an entry of error.details. */
export interface Failure {
  code: string;
  target: string;
  message: string;
}

export interface ValidationPolicy {
  /** Accept `_` in job names (2015 portal rule). Default false. */
  allowUnderscoreInJobNames: boolean;
  /** Accept 64-hex manifestHash values (a 2021 spec example carries one). Default false. */
  allow64HexManifestHash: boolean;
  /** Check each recovery-password group is divisible by 11 and < 720896 (BitLocker's own rule). Default true. */
  strictBitLockerKeys: boolean;
  /** Known storage account names; undefined = any well-formed id is accepted. */
  storageAccounts?: readonly string[];
  /** Known location names (display or slug) for `location`. */
  isKnownLocation: (name: string) => boolean;
}

export const MAX_DRIVES = 10;
const JOB_NAME = /^[a-z][a-z0-9-]*$/;
const JOB_NAME_LEGACY = /^[a-z][a-z0-9_-]*$/;
const STORAGE_ACCOUNT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.(Classic)?Storage\/storageAccounts\/([a-z0-9]{3,24})$/i;
const CONTAINER = /^(\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/;
const RECOVERY_PASSWORD = /^\d{6}(-\d{6}){7}$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Validates a job name from the URL path (§6.8; 2..64 characters is our assumption, see §7). */
export function validateJobName(name: string, policy: Pick<ValidationPolicy, 'allowUnderscoreInJobNames'>): Failure | undefined {
  const pattern = policy.allowUnderscoreInJobNames ? JOB_NAME_LEGACY : JOB_NAME;
  if (name.length < 2 || name.length > 64 || !pattern.test(name)) {
    return {
      code: 'InvalidJobName',
      target: 'jobName',
      message: `The job name '${name}' is invalid: use 2 to 64 lowercase letters, digits and hyphens${policy.allowUnderscoreInJobNames ? ' (or underscores)' : ''}, starting with a letter.`,
    };
  }
  return undefined;
}

export function storageAccountName(storageAccountId: string): string | undefined {
  return STORAGE_ACCOUNT_ID.exec(storageAccountId)?.[2]?.toLowerCase();
}

/** BitLocker recovery password: 8 groups of 6 digits; strictly, each group % 11 == 0 and < 720896. */
export function bitLockerKeyProblem(key: string, strict: boolean): string | undefined {
  if (!RECOVERY_PASSWORD.test(key)) return 'must be a 48-digit recovery password in 8 groups of 6 digits separated by hyphens';
  if (strict) {
    const bad = key.split('-').findIndex((g) => Number(g) % 11 !== 0 || Number(g) >= 720896);
    if (bad >= 0) return `group ${bad + 1} is not a valid recovery password group (each must be divisible by 11 and below 720896)`;
  }
  return undefined;
}

/** A valid BitLocker recovery password (each group divisible by 11, below 720896), from a seed. */
export function recoveryPassword(seed: number): string {
  let x = (seed * 2654435761) >>> 0 || 1;
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    groups.push(String((x % 65536) * 11).padStart(6, '0'));
  }
  return groups.join('-');
}

function requireFields(value: unknown, target: string, required: readonly string[], optional: readonly string[], failures: Failure[]): Json | undefined {
  if (!isObject(value)) {
    failures.push({ code: 'InvalidRequestContent', target, message: `'${target}' must be an object.` });
    return undefined;
  }
  for (const field of required) {
    if (!isNonEmptyString(value[field])) {
      failures.push({ code: 'MissingRequiredField', target: `${target}.${field}`, message: `The field '${target}.${field}' is required.` });
    }
  }
  for (const field of optional) {
    if (value[field] !== undefined && typeof value[field] !== 'string') {
      failures.push({ code: 'InvalidRequestContent', target: `${target}.${field}`, message: `'${target}.${field}' must be a string.` });
    }
  }
  return value;
}

function pick<T>(value: Json, fields: readonly string[]): T {
  const out: Json = {};
  for (const field of fields) if (value[field] !== undefined) out[field] = value[field];
  return out as T;
}

const RETURN_ADDRESS_REQUIRED = ['recipientName', 'streetAddress1', 'city', 'postalCode', 'countryOrRegion', 'phone', 'email'] as const;
const RETURN_ADDRESS_OPTIONAL = ['streetAddress2', 'stateOrProvince'] as const;

export function parseReturnAddress(value: unknown, target: string, failures: Failure[]): ReturnAddress | undefined {
  const before = failures.length;
  const obj = requireFields(value, target, RETURN_ADDRESS_REQUIRED, RETURN_ADDRESS_OPTIONAL, failures);
  return obj && failures.length === before ? pick<ReturnAddress>(obj, [...RETURN_ADDRESS_REQUIRED, ...RETURN_ADDRESS_OPTIONAL]) : undefined;
}

export function parseReturnShipping(value: unknown, target: string, failures: Failure[]): ReturnShipping | undefined {
  const before = failures.length;
  const obj = requireFields(value, target, ['carrierName', 'carrierAccountNumber'], [], failures);
  return obj && failures.length === before ? pick<ReturnShipping>(obj, ['carrierName', 'carrierAccountNumber']) : undefined;
}

export function parseDeliveryPackage(value: unknown, target: string, failures: Failure[]): DeliveryPackage | undefined {
  const before = failures.length;
  const obj = requireFields(value, target, ['carrierName', 'trackingNumber'], ['shipDate'], failures);
  if (!obj) return undefined;
  const count = obj.driveCount;
  if (count !== undefined && (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_DRIVES)) {
    failures.push({ code: 'InvalidDriveCount', target: `${target}.driveCount`, message: `driveCount must be an integer from 1 to ${MAX_DRIVES}.` });
  }
  if (failures.length !== before) return undefined;
  const out = pick<DeliveryPackage>(obj, ['carrierName', 'trackingNumber', 'driveCount', 'shipDate']);
  out.trackingNumber = out.trackingNumber.trim();
  return out;
}

/** Validates an import driveList (§6.10): 1..10 drives, unique ids, key, manifest file and hash. */
export function parseImportDriveList(value: unknown, target: string, policy: ValidationPolicy, failures: Failure[]): DriveRecord[] | undefined {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    failures.push({ code: 'DriveListRequired', target, message: 'An import job needs at least one drive in driveList.' });
    return undefined;
  }
  if (!Array.isArray(value)) {
    failures.push({ code: 'InvalidRequestContent', target, message: `'${target}' must be an array.` });
    return undefined;
  }
  const before = failures.length;
  if (value.length > MAX_DRIVES) {
    failures.push({ code: 'TooManyDrives', target, message: `A job can have at most ${MAX_DRIVES} drives; ${value.length} were given.` });
  }
  const seen = new Set<string>();
  const drives: DriveRecord[] = [];
  value.forEach((raw: unknown, i: number) => {
    const at = `${target}[${i}]`;
    if (!isObject(raw)) {
      failures.push({ code: 'InvalidRequestContent', target: at, message: `'${at}' must be an object.` });
      return;
    }
    const driveId = raw.driveId;
    if (!isNonEmptyString(driveId) || /\s/.test(driveId)) {
      failures.push({ code: 'InvalidDriveId', target: `${at}.driveId`, message: 'driveId must be the drive serial number: non-empty, without spaces.' });
    } else if (seen.has(driveId.toUpperCase())) {
      failures.push({ code: 'DuplicateDriveId', target: `${at}.driveId`, message: `The drive id '${driveId}' appears more than once in the job.` });
    } else {
      seen.add(driveId.toUpperCase());
    }
    const key = raw.bitLockerKey;
    if (!isNonEmptyString(key)) {
      failures.push({ code: 'BitLockerKeyRequired', target: `${at}.bitLockerKey`, message: `The BitLocker key of drive '${String(driveId)}' is required.` });
    } else {
      const problem = bitLockerKeyProblem(key, policy.strictBitLockerKeys);
      if (problem) failures.push({ code: 'InvalidBitLockerKey', target: `${at}.bitLockerKey`, message: `The BitLocker key of drive '${String(driveId)}' ${problem}.` });
    }
    if (!isNonEmptyString(raw.manifestFile)) {
      failures.push({ code: 'ManifestFileRequired', target: `${at}.manifestFile`, message: `The manifest file path of drive '${String(driveId)}' is required.` });
    }
    const hash = raw.manifestHash;
    const hashOk = typeof hash === 'string' && (/^[0-9A-Fa-f]{32}$/.test(hash) || (policy.allow64HexManifestHash && /^[0-9A-Fa-f]{64}$/.test(hash)));
    if (!hashOk) {
      failures.push({
        code: 'InvalidManifestHash',
        target: `${at}.manifestHash`,
        message: `The manifest hash of drive '${String(driveId)}' must be the Base16 MD5 of the manifest (32 hex digits${policy.allow64HexManifestHash ? ' or 64' : ''}).`,
      });
    }
    if (raw.driveHeaderHash !== undefined && typeof raw.driveHeaderHash !== 'string') {
      failures.push({ code: 'InvalidRequestContent', target: `${at}.driveHeaderHash`, message: 'driveHeaderHash must be a string.' });
    }
    drives.push({
      driveId: String(driveId),
      bitLockerKey: String(key),
      manifestFile: String(raw.manifestFile),
      manifestHash: String(hash).toUpperCase(),
      ...(typeof raw.driveHeaderHash === 'string' ? { driveHeaderHash: raw.driveHeaderHash } : {}),
      state: 'Specified',
    });
  });
  return failures.length === before ? drives : undefined;
}

function parseExport(value: unknown, failures: Failure[]): ExportSpec | undefined {
  if (!isObject(value)) {
    failures.push({ code: 'ExportRequired', target: 'properties.export', message: 'An export job needs properties.export (blobList or blobListBlobPath).' });
    return undefined;
  }
  const before = failures.length;
  const paths: [string, unknown][] = [];
  const spec: ExportSpec = {};
  if (value.blobListBlobPath !== undefined) {
    paths.push(['properties.export.blobListBlobPath', value.blobListBlobPath]);
    spec.blobListBlobPath = String(value.blobListBlobPath);
  }
  if (value.blobList !== undefined) {
    const list = isObject(value.blobList) ? value.blobList : {};
    spec.blobList = {};
    for (const field of ['blobPath', 'blobPathPrefix'] as const) {
      const entries = list[field];
      if (entries === undefined) continue;
      if (!Array.isArray(entries)) {
        failures.push({ code: 'InvalidRequestContent', target: `properties.export.blobList.${field}`, message: `${field} must be an array of strings.` });
        continue;
      }
      spec.blobList[field] = entries.map(String);
      entries.forEach((e: unknown, i: number) => paths.push([`properties.export.blobList.${field}[${i}]`, e]));
    }
  }
  if (paths.length === 0) {
    failures.push({ code: 'ExportRequired', target: 'properties.export', message: 'properties.export needs blobList or blobListBlobPath.' });
  }
  for (const [target, path] of paths) {
    const container = typeof path === 'string' ? path.replace(/^\//, '').split('/')[0]! : '';
    if (!CONTAINER.test(container)) {
      failures.push({ code: 'InvalidExportBlobPath', target, message: `'${String(path)}' must start with a container name or $root.` });
    }
  }
  return failures.length === before ? spec : undefined;
}

export interface ParsedPut {
  location: string;
  tags: Record<string, string>;
  identityType: Identity['type'];
  properties: Omit<JobProperties, 'state' | 'cancelRequested' | 'provisioningState' | 'shippingInformation'>;
}

function parseTags(value: unknown, failures: Failure[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    failures.push({ code: 'InvalidRequestContent', target: 'tags', message: 'tags must be an object of string values.' });
    return {};
  }
  return { ...(value as Record<string, string>) };
}

export function parseLogLevel(value: unknown, target: string, failures: Failure[]): 'Error' | 'Verbose' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'Error' && value !== 'Verbose') {
    failures.push({ code: 'InvalidLogLevel', target, message: `logLevel must be 'Error' or 'Verbose', not '${String(value)}'.` });
    return undefined;
  }
  return value;
}

export function parseBoolean(value: unknown, target: string, failures: Failure[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    failures.push({ code: 'InvalidRequestContent', target, message: `'${target}' must be a boolean.` });
    return undefined;
  }
  return value;
}

/** Validates a Jobs_Create body (§6.9–6.12). Returns the parsed job or the list of failures. */
export function parsePutJob(body: unknown, policy: ValidationPolicy): { ok: ParsedPut } | { failures: Failure[] } {
  const failures: Failure[] = [];
  if (!isObject(body)) return { failures: [{ code: 'InvalidRequestContent', target: '', message: 'The request body must be a JSON object.' }] };
  const location = body.location;
  if (!isNonEmptyString(location)) {
    failures.push({ code: 'LocationRequired', target: 'location', message: 'The job location is required.' });
  } else if (!policy.isKnownLocation(location)) {
    failures.push({ code: 'InvalidLocation', target: 'location', message: `The location '${location}' is not an Import/Export location.` });
  }
  const tags = parseTags(body.tags, failures);
  let identityType: Identity['type'] = 'None';
  if (body.identity !== undefined) {
    const type = isObject(body.identity) ? body.identity.type : undefined;
    if (type === 'None' || type === 'SystemAssigned' || type === 'UserAssigned') identityType = type;
    else failures.push({ code: 'InvalidIdentityType', target: 'identity.type', message: 'identity.type must be None, SystemAssigned or UserAssigned.' });
  }
  const props = body.properties;
  if (!isObject(props)) {
    failures.push({ code: 'MissingRequiredField', target: 'properties', message: 'The job properties are required.' });
    return { failures };
  }
  if (props.state !== undefined && props.state !== 'Creating') {
    failures.push({ code: 'InvalidState', target: 'properties.state', message: 'A new job starts in state Creating; move it to Shipping with PATCH.' });
  }
  const jobType = props.jobType;
  if (jobType !== 'Import' && jobType !== 'Export') {
    failures.push({ code: 'InvalidJobType', target: 'properties.jobType', message: `jobType must be 'Import' or 'Export', not '${String(jobType)}'.` });
  }
  const accountId = props.storageAccountId;
  const account = typeof accountId === 'string' ? storageAccountName(accountId) : undefined;
  if (account === undefined) {
    failures.push({
      code: 'InvalidStorageAccountId',
      target: 'properties.storageAccountId',
      message: `storageAccountId must be an ARM id such as /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>; got '${String(accountId)}'.`,
    });
  } else if (policy.storageAccounts && !policy.storageAccounts.includes(account)) {
    failures.push({ code: 'StorageAccountNotFound', target: 'properties.storageAccountId', message: `The storage account '${account}' was not found.` });
  }
  const returnAddress = props.returnAddress === undefined ? undefined : parseReturnAddress(props.returnAddress, 'properties.returnAddress', failures);
  const returnShipping = props.returnShipping === undefined ? undefined : parseReturnShipping(props.returnShipping, 'properties.returnShipping', failures);
  const deliveryPackage = props.deliveryPackage === undefined ? undefined : parseDeliveryPackage(props.deliveryPackage, 'properties.deliveryPackage', failures);
  const logLevel = parseLogLevel(props.logLevel, 'properties.logLevel', failures) ?? 'Error';
  const backupDriveManifest = parseBoolean(props.backupDriveManifest, 'properties.backupDriveManifest', failures) ?? false;
  const diagnosticsPath = props.diagnosticsPath === undefined ? 'waimportexport' : props.diagnosticsPath;
  if (typeof diagnosticsPath !== 'string' || !CONTAINER.test(diagnosticsPath.replace(/^\//, '').split('/')[0]!) || diagnosticsPath.startsWith('$root')) {
    failures.push({ code: 'InvalidDiagnosticsPath', target: 'properties.diagnosticsPath', message: 'diagnosticsPath must start with a container name, optionally followed by /virtual/directory.' });
  }
  let encryptionKey: EncryptionKey = { kekType: 'MicrosoftManaged' };
  if (props.encryptionKey !== undefined) {
    const ek = isObject(props.encryptionKey) ? props.encryptionKey : {};
    const kekType = ek.kekType ?? 'MicrosoftManaged';
    if (kekType !== 'MicrosoftManaged' && kekType !== 'CustomerManaged') {
      failures.push({ code: 'InvalidKekType', target: 'properties.encryptionKey.kekType', message: 'kekType must be MicrosoftManaged or CustomerManaged.' });
    } else if (kekType === 'CustomerManaged' && !isNonEmptyString(ek.kekUrl)) {
      failures.push({ code: 'MissingRequiredField', target: 'properties.encryptionKey.kekUrl', message: 'A customer-managed key needs kekUrl.' });
    } else {
      encryptionKey = { kekType, ...pick<Partial<EncryptionKey>>(ek, ['kekUrl', 'kekVaultResourceID']) };
    }
  }
  let driveList: DriveRecord[] = [];
  let exportSpec: ExportSpec | undefined;
  if (jobType === 'Import') {
    if (props.export !== undefined) {
      failures.push({ code: 'ExportNotAllowed', target: 'properties.export', message: 'An import job must not carry properties.export.' });
    }
    driveList = parseImportDriveList(props.driveList, 'properties.driveList', policy, failures) ?? [];
  } else if (jobType === 'Export') {
    if (props.driveList !== undefined) {
      failures.push({ code: 'DriveListNotAllowed', target: 'properties.driveList', message: 'An export job gets its drives from the service; do not send driveList at creation.' });
    }
    exportSpec = parseExport(props.export, failures);
  }
  if (failures.length > 0) return { failures };
  return {
    ok: {
      location: location as string,
      tags,
      identityType,
      properties: {
        storageAccountId: accountId as string,
        jobType: jobType as 'Import' | 'Export',
        ...(returnAddress ? { returnAddress } : {}),
        ...(returnShipping ? { returnShipping } : {}),
        ...(deliveryPackage ? { deliveryPackage } : {}),
        diagnosticsPath: (diagnosticsPath as string).replace(/^\//, ''),
        logLevel,
        backupDriveManifest,
        driveList,
        ...(exportSpec ? { export: exportSpec } : {}),
        encryptionKey,
      },
    },
  };
}

/** The job id as ARM shows it. */
export function jobId(job: Pick<JobRecord, 'subscriptionId' | 'resourceGroupName' | 'name'>): string {
  return `/subscriptions/${job.subscriptionId}/resourceGroups/${job.resourceGroupName}/providers/Microsoft.ImportExport/jobs/${job.name}`;
}

/** The drive as the API returns it: everything but the BitLocker key (§6.5). */
export function driveToWire(drive: DriveRecord): Json {
  const { bitLockerKey: _key, ...rest } = drive;
  void _key;
  return rest;
}

/** The JobResponse wire form (§1.2, §6.4): every default is emitted so the SDK injects none. */
export function jobToWire(job: JobRecord): Json {
  const p = job.properties;
  return {
    id: jobId(job),
    name: job.name,
    type: 'Microsoft.ImportExport/jobs',
    location: job.location,
    tags: { ...job.tags },
    systemData: { ...job.systemData },
    identity: { ...job.identity },
    properties: structuredClone({
      storageAccountId: p.storageAccountId,
      jobType: p.jobType,
      ...(p.returnAddress ? { returnAddress: p.returnAddress } : {}),
      ...(p.returnShipping ? { returnShipping: p.returnShipping } : {}),
      ...(p.shippingInformation ? { shippingInformation: p.shippingInformation } : {}),
      ...(p.deliveryPackage ? { deliveryPackage: p.deliveryPackage } : {}),
      ...(p.returnPackage ? { returnPackage: p.returnPackage } : {}),
      diagnosticsPath: p.diagnosticsPath,
      logLevel: p.logLevel,
      backupDriveManifest: p.backupDriveManifest,
      state: p.state,
      cancelRequested: p.cancelRequested,
      ...(p.percentComplete !== undefined ? { percentComplete: p.percentComplete } : {}),
      ...(p.incompleteBlobListUri ? { incompleteBlobListUri: p.incompleteBlobListUri } : {}),
      driveList: p.driveList.map(driveToWire),
      ...(p.export ? { export: p.export } : {}),
      provisioningState: p.provisioningState,
      encryptionKey: p.encryptionKey,
    }),
  };
}

export interface ArmErrorBody {
  error: { code: string; message: string; target?: string; details?: Failure[] };
}

/** ARM error envelope (§1.5): the first failure gives code/message/target, all of them the details. */
export function armError(failures: readonly Failure[]): ArmErrorBody {
  const first = failures[0] ?? { code: 'InternalServerError', target: '', message: 'Unknown error.' };
  return {
    error: {
      code: first.code,
      message: first.message,
      ...(first.target ? { target: first.target } : {}),
      ...(failures.length > 1 || first.target ? { details: failures.map((f) => ({ ...f })) } : {}),
    },
  };
}
