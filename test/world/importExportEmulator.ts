/**
 * Microsoft.ImportExport (api-version 2021-01-01) emulator: an HTTPS server implementing the ten ARM
 * operations of reference §1.1 with the validation, errors, state machines and timers of §6, plus a
 * fake Entra ID token endpoint (tokenService.ts) on the same origin, plus plain-function hooks for
 * tests and the simulated datacenter.
 *
 * Decisions on the open points of reference §7 (and other undocumented behaviour):
 * - Cancel window: configurable (`cancelWindow`); default 'CreatingOrShipping' (the FAQ), the other
 *   choices are 'Creating' (portal docs) and 'BeforePackaging' (REST doc). Outside it, PATCH
 *   cancelRequested → 409 InvalidJobState. `cancelRequested: false` → 400 InvalidCancelRequested.
 * - Canceled end state: `canceledEndState`, default 'Completed' (REST doc); 'Canceled' mimics the
 *   current portal. A job canceled while Creating ends at once (no drives were shipped); one canceled
 *   later keeps moving and the datacenter skips the copy and ships the drives back (ShippedBack).
 * - Delete window: `deleteStates`, default Creating and Completed (spec text). Closed is not in it by
 *   default, so a client must cope with a 409 there; add 'Closed' to model the lenient reading.
 *   DELETE of a missing job → 404 ResourceNotFound (the SDK rejects 204 anyway).
 * - Job names: ^[a-z][a-z0-9-]*$, 2..64 characters; `allowUnderscoreInJobNames` restores the 2015 rule.
 * - manifestHash: 32 hex digits (either case, stored uppercase); `allow64HexManifestHash` also
 *   accepts 64. driveHeaderHash: any string, stored and echoed, never checked.
 * - BitLocker keys: 8 groups of 6 digits; `strictBitLockerKeys` (default true) also applies
 *   BitLocker's rule (group % 11 == 0 and < 720896), as OfflineSeed validates keys itself.
 * - Drive size ceilings: not enforced (drives are folders; the manifest decides what is imported).
 * - api-versions: only 2021-01-01 by default (`apiVersions` adds 2020-08-01/2016-11-01); missing →
 *   400 MissingApiVersionParameter, unknown → 400 InvalidApiVersionParameter (ARM's codes).
 * - PUT on an existing job: 200 and a full replacement while Creating (resets the 14-day timer),
 *   409 InvalidJobState in any other state.
 * - PATCH per field: tags always; deliveryPackage in Creating/Shipping; returnAddress/returnShipping
 *   until the job is finished; logLevel/backupDriveManifest until Received; driveList (full
 *   replacement, validated like create) only in Creating; state must be 'Shipping' (else 400
 *   InvalidState) and is accepted from Creating (needs returnAddress and deliveryPackage, now or
 *   earlier: 400 ReturnAddressRequired/DeliveryPackageRequired) or as a no-op in Shipping. Every
 *   PATCH of a Creating job resets its 14-day expiry.
 * - Tracking numbers are unique service-wide (case-insensitive): setting one already held by another
 *   job, by PUT or PATCH, → 409 TrackingNumberInUse.
 * - Paging: `$top` (1..100, else 400 InvalidQueryParameterValue) is the page size; `nextLink` is an
 *   absolute URL carrying api-version, $top, $filter and a $skiptoken. Without $top the page size is
 *   `defaultPageSize` (100). `$filter` accepts `<name|state|jobType|location> eq '<value>'` joined by
 *   `and`; anything else → 400 InvalidFilter.
 * - Timers (virtual clock): Creating expires 14 d after the last PUT/PATCH (job deleted); Shipping:
 *   14 d after entering it, drives still Specified become NeverReceived; 30 d later a job still in
 *   Shipping is Closed; Completed/Closed/Canceled jobs are deleted 90 d after finishing. Timers fire
 *   at their own instant, so one long advance() cascades correctly.
 * - Auth: every ARM call needs `Authorization: Bearer <token>`: a configured static token, or a
 *   JWT-shaped token whose `aud` is ARM's (https://management.azure.com[/],
 *   https://management.core.windows.net/) or the emulator's own origin, not expired (real time). 401
 *   codes as ARM: AuthenticationFailed, InvalidAuthenticationToken, ExpiredAuthenticationToken,
 *   InvalidAuthenticationTokenAudience. Signatures are not checked. Each accepted call is recorded
 *   in `authLog`.
 * - Storage accounts: `storageAccounts` (names) restricts storageAccountId to accounts the world
 *   serves (400 StorageAccountNotFound); the account's region is not checked against the location.
 * - Export jobs: created and validated (§6.11), listed, updated, deleted; the datacenter does not
 *   run exports.
 */
import { randomUUID } from 'node:crypto';
import { listenHttps } from './httpsListener.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  armError,
  jobToWire,
  parseBoolean,
  parseDeliveryPackage,
  parseImportDriveList,
  parseLogLevel,
  parsePutJob,
  parseReturnAddress,
  parseReturnShipping,
  validateJobName,
  type DriveRecord,
  type DriveState,
  type Failure,
  type JobProperties,
  type JobRecord,
  type JobState,
  type ValidationPolicy,
} from './armModel.ts';
import type { TestCertificates } from './certs.ts';
import { createVirtualClock, DAY_MS, type VirtualClock } from './clock.ts';
import { decodeToken, mintToken } from './jwt.ts';
import { FaultInjector } from './faultInjection.ts';
import { defaultLocations, findLocation, shippingSite, type LocationResource } from './locations.ts';
import { createTokenService, type ServicePrincipal, type TokenService } from './tokenService.ts';

export const API_VERSION = '2021-01-01';
/** The scope clients ask tokens for (ARM's real audience, whatever endpoint they call). */
export const ARM_SCOPE = 'https://management.azure.com/.default';
export const ARM_AUDIENCES = ['https://management.azure.com', 'https://management.azure.com/', 'https://management.core.windows.net/', 'https://management.core.windows.net'];

export type CancelWindow = 'Creating' | 'CreatingOrShipping' | 'BeforePackaging';

export interface EmulatorTimers {
  creatingExpiryMs: number;
  shippingWindowMs: number;
  neverReceivedToClosedMs: number;
  retentionMs: number;
}

export const DEFAULT_TIMERS: EmulatorTimers = {
  creatingExpiryMs: 14 * DAY_MS,
  shippingWindowMs: 14 * DAY_MS,
  neverReceivedToClosedMs: 30 * DAY_MS,
  retentionMs: 90 * DAY_MS,
};

export interface EmulatorOptions {
  /** TLS material (world.ts makes it with certs.ts). */
  certificates: TestCertificates;
  clock?: VirtualClock;
  locations?: LocationResource[];
  apiVersions?: string[];
  cancelWindow?: CancelWindow;
  canceledEndState?: 'Completed' | 'Canceled';
  deleteStates?: JobState[];
  allowUnderscoreInJobNames?: boolean;
  allow64HexManifestHash?: boolean;
  strictBitLockerKeys?: boolean;
  /** Storage account names the world serves; undefined accepts any well-formed id. */
  storageAccounts?: string[];
  /** Service principals the token endpoint knows. */
  principals?: ServicePrincipal[];
  /** Opaque bearer tokens accepted as they are (the "token handed over" path). */
  staticTokens?: string[];
  /** Skip the bearer check altogether (not recommended: tests should prove auth happened). */
  disableAuth?: boolean;
  defaultPageSize?: number;
  timers?: Partial<EmulatorTimers>;
  /** Tenant used for identity.tenantId of SystemAssigned identities. */
  tenantId?: string;
}

export interface JobRef {
  subscriptionId: string;
  resourceGroupName: string;
  jobName: string;
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  errorCode?: string;
  clientTenantId?: string;
}

export interface AuthRecord {
  method: string;
  path: string;
  kind: 'static' | 'jwt';
  token: string;
  claims?: Record<string, unknown>;
}

export interface EmulatorEvent {
  /** Virtual time. */
  at: number;
  job: string;
  kind: 'created' | 'updated' | 'state' | 'drive' | 'expired' | 'retention-deleted' | 'deleted' | 'never-received';
  detail: string;
}

export interface ImportExportEmulator {
  /** https://127.0.0.1:<port>: the SDK's `endpoint`, and the `authorityHost` of the token service. */
  endpoint: string;
  authorityHost: string;
  port: number;
  clock: VirtualClock;
  tokenService: TokenService;
  locations: LocationResource[];
  /** The behaviour chosen for the open points (see the header comment). */
  config: { cancelWindow: CancelWindow; canceledEndState: 'Completed' | 'Canceled'; deleteStates: JobState[]; timers: EmulatorTimers };
  requests: RequestRecord[];
  authLog: AuthRecord[];
  events: EmulatorEvent[];
  /** A copy of the stored job (BitLocker keys included), or undefined. */
  getJob(ref: JobRef): JobRecord | undefined;
  requireJob(ref: JobRef): JobRecord;
  /** Every job, copies, sorted by subscription, resource group, name. */
  listJobs(): JobRecord[];
  /** Moves the job to `state`, maintaining timers as the service would (no transition checks: a test hook). */
  setJobState(ref: JobRef, state: JobState): void;
  setDriveState(ref: JobRef, driveId: string, state: DriveState, extra?: Partial<Omit<DriveRecord, 'driveId' | 'state'>>): void;
  updateDrive(ref: JobRef, driveId: string, patch: Partial<Omit<DriveRecord, 'driveId'>>): void;
  updateJob(ref: JobRef, patch: Partial<Omit<JobProperties, 'driveList' | 'state'>>): void;
  /** Advances the virtual clock and fires the timers that came due. */
  advance(ms: number): void;
  /** Fires due timers without advancing (runs before every request anyway). */
  sweep(): void;
  /** A token the emulator accepts (aud https://management.azure.com/), e.g. for a handed-over token. */
  mintArmToken(tenantId?: string): string;
  /** Serves more routes on this origin (see ExtraRoutes). */
  addRoutes(routes: ExtraRoutes): void;
  /** Fault tests: answer the next requests with 500, 503 or 429 (faultInjection.ts). */
  faults: FaultInjector;
  stop(): Promise<void>;
}

/**
 * An extra set of routes served on the same origin before the Import/Export ones (armResourcesEmulator.ts,
 * graphEmulator.ts): returns undefined for a path it does not serve. `authenticate` applies the ARM
 * bearer check and names the caller (an application's appid or a user's upn).
 */
export type ExtraRoutes = (request: { method: string; url: URL; body: string; headers: IncomingMessage['headers']; authenticate: () => { name: string; type: string; tenantId: string } }) =>
  { status: number; body: unknown } | undefined;

class HttpFailure extends Error {
  readonly status: number;
  readonly failures: Failure[];
  readonly headers: Record<string, string>;
  constructor(status: number, failures: Failure[], headers: Record<string, string> = {}) {
    super(failures[0]?.message ?? 'error');
    this.status = status;
    this.failures = failures;
    this.headers = headers;
  }
}

function fail(status: number, code: string, message: string, target = ''): never {
  throw new HttpFailure(status, [{ code, message, target }]);
}

function keyOf(subscriptionId: string, resourceGroupName: string, jobName: string): string {
  // ARM treats subscription and resource group names case-insensitively; job names are lowercase.
  return `${subscriptionId.toLowerCase()}/${resourceGroupName.toLowerCase()}/${jobName}`;
}

function refKey(ref: JobRef): string {
  return keyOf(ref.subscriptionId, ref.resourceGroupName, ref.jobName);
}

const FINISHED: readonly JobState[] = ['Completed', 'Closed', 'Canceled'];

export function isFinished(state: JobState): boolean {
  return FINISHED.includes(state);
}

function cancelAllowed(window: CancelWindow, state: JobState): boolean {
  const allowed: Record<CancelWindow, JobState[]> = {
    Creating: ['Creating'],
    CreatingOrShipping: ['Creating', 'Shipping'],
    BeforePackaging: ['Creating', 'Shipping', 'Received', 'Transferring'],
  };
  return allowed[window].includes(state);
}

interface FilterTerm {
  field: 'name' | 'state' | 'jobtype' | 'location';
  value: string;
}

/** `$filter`: `field eq 'value'` terms joined by `and` (OData subset); undefined when unsupported. */
export function parseFilter(filter: string): FilterTerm[] | undefined {
  const terms: FilterTerm[] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(name|state|jobType|location)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(part);
    if (!m) return undefined;
    terms.push({ field: m[1]!.toLowerCase() as FilterTerm['field'], value: m[2]!.replace(/''/g, "'") });
  }
  return terms;
}

function matchesFilter(job: JobRecord, terms: readonly FilterTerm[]): boolean {
  return terms.every((t) => {
    const actual = t.field === 'name' ? job.name : t.field === 'state' ? job.properties.state : t.field === 'jobtype' ? job.properties.jobType : job.location;
    return actual.replace(/\s+/g, '').toLowerCase() === t.value.replace(/\s+/g, '').toLowerCase();
  });
}

const OPERATIONS = [
  ['Microsoft.ImportExport/locations/read', 'Locations', 'Get or List Locations', 'Gets the properties for the specified location or returns the list of locations.'],
  ['Microsoft.ImportExport/jobs/write', 'Jobs', 'Create or Update Job', 'Creates a job with the specified parameters or update the properties or tags for the specified job.'],
  ['Microsoft.ImportExport/jobs/read', 'Jobs', 'Get or List Jobs', 'Gets the properties for the specified job or returns the list of jobs.'],
  ['Microsoft.ImportExport/jobs/listBitLockerKeys/action', 'Jobs', 'List BitLocker Keys', 'Gets the BitLocker keys for the specified job.'],
  ['Microsoft.ImportExport/jobs/delete', 'Jobs', 'Delete Job', 'Deletes an existing job.'],
  ['Microsoft.ImportExport/register/action', 'Import/Export Resource Provider', 'Registers the Import/Export Resource Provider', 'Registers the subscription for the import/export resource provider and enables the creation of import/export jobs.'],
].map(([name, resource, operation, description]) => ({ name, display: { provider: 'Microsoft Import/Export', resource, operation, description } }));

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpFailure(413, [{ code: 'RequestEntityTooLarge', target: '', message: 'The request body is larger than 1 MiB.' }]));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function segmentsEqual(actual: string | undefined, expected: string): boolean {
  return actual !== undefined && actual.toLowerCase() === expected.toLowerCase();
}

type Route =
  | { kind: 'locations' }
  | { kind: 'location'; name: string }
  | { kind: 'operations' }
  | { kind: 'jobsBySubscription'; subscriptionId: string }
  | { kind: 'jobsByResourceGroup'; subscriptionId: string; resourceGroupName: string }
  | { kind: 'job'; ref: JobRef }
  | { kind: 'bitLockerKeys'; ref: JobRef };

/** Maps a path to an operation; fixed segments match case-insensitively, as ARM does. */
export function matchRoute(path: string): Route | undefined {
  const s = path.split('/').slice(1).map((p) => decodeURIComponent(p));
  if (s.at(-1) === '') s.pop();
  const provider = (i: number): boolean => segmentsEqual(s[i], 'providers') && segmentsEqual(s[i + 1], 'Microsoft.ImportExport');
  if (provider(0)) {
    if (s.length === 3 && segmentsEqual(s[2], 'locations')) return { kind: 'locations' };
    if (s.length === 4 && segmentsEqual(s[2], 'locations')) return { kind: 'location', name: s[3]! };
    if (s.length === 3 && segmentsEqual(s[2], 'operations')) return { kind: 'operations' };
    return undefined;
  }
  if (!segmentsEqual(s[0], 'subscriptions') || !s[1]) return undefined;
  const subscriptionId = s[1];
  if (s.length === 5 && provider(2) && segmentsEqual(s[4], 'jobs')) return { kind: 'jobsBySubscription', subscriptionId };
  if (!segmentsEqual(s[2], 'resourceGroups') || !s[3] || !provider(4) || !segmentsEqual(s[6], 'jobs')) return undefined;
  const resourceGroupName = s[3];
  if (s.length === 7) return { kind: 'jobsByResourceGroup', subscriptionId, resourceGroupName };
  const ref = { subscriptionId, resourceGroupName, jobName: s[7]! };
  if (s.length === 8) return { kind: 'job', ref };
  if (s.length === 9 && segmentsEqual(s[8], 'listBitLockerKeys')) return { kind: 'bitLockerKeys', ref };
  return undefined;
}

const ALLOWED_METHODS: Record<Route['kind'], string[]> = {
  locations: ['GET'],
  location: ['GET'],
  operations: ['GET'],
  jobsBySubscription: ['GET'],
  jobsByResourceGroup: ['GET'],
  job: ['GET', 'PUT', 'PATCH', 'DELETE'],
  bitLockerKeys: ['POST'],
};

export async function startImportExportEmulator(options: EmulatorOptions): Promise<ImportExportEmulator> {
  const clock = options.clock ?? createVirtualClock();
  const locations = options.locations ?? defaultLocations();
  const apiVersions = options.apiVersions ?? [API_VERSION];
  const cancelWindow = options.cancelWindow ?? 'CreatingOrShipping';
  const canceledEndState = options.canceledEndState ?? 'Completed';
  const deleteStates = options.deleteStates ?? ['Creating', 'Completed'];
  const timers: EmulatorTimers = { ...DEFAULT_TIMERS, ...options.timers };
  const pageSize = options.defaultPageSize ?? 100;
  const defaultTenant = options.tenantId ?? '72f988bf-0000-4000-8000-00000000c0de';
  const policy: ValidationPolicy = {
    allowUnderscoreInJobNames: options.allowUnderscoreInJobNames ?? false,
    allow64HexManifestHash: options.allow64HexManifestHash ?? false,
    strictBitLockerKeys: options.strictBitLockerKeys ?? true,
    ...(options.storageAccounts ? { storageAccounts: options.storageAccounts.map((a) => a.toLowerCase()) } : {}),
    isKnownLocation: (name) => findLocation(locations, name) !== undefined,
  };
  const staticTokens = new Set(options.staticTokens ?? []);
  const tokenService = createTokenService(options.principals ?? []);
  const jobs = new Map<string, JobRecord>();
  const requests: RequestRecord[] = [];
  const authLog: AuthRecord[] = [];
  const events: EmulatorEvent[] = [];
  const extraRoutes: ExtraRoutes[] = [];
  const faults = new FaultInjector();
  const iso = (ms: number): string => new Date(ms).toISOString();
  let origin = '';

  const record = (job: JobRecord, kind: EmulatorEvent['kind'], detail: string, at = clock.now()): void => {
    events.push({ at, job: job.name, kind, detail });
  };

  /** Sets the job state and the timers that hang on it; `at` is when it happened (virtual time). */
  const enterState = (job: JobRecord, state: JobState, at = clock.now()): void => {
    const p = job.properties;
    if (p.state === state) return;
    record(job, 'state', `${p.state} -> ${state}`, at);
    p.state = state;
    if (state === 'Creating') job.timers.creatingExpiresAt = at + timers.creatingExpiryMs;
    else delete job.timers.creatingExpiresAt;
    if (state === 'Shipping') job.timers.shippedAt = at;
    if (isFinished(state)) job.timers.finishedAt = at;
    else delete job.timers.finishedAt;
  };

  const getRecord = (ref: JobRef): JobRecord | undefined => jobs.get(refKey(ref));

  /** Applies every timer that is due, each at its own instant, until nothing changes. */
  const sweep = (): void => {
    const now = clock.now();
    for (const [key, job] of [...jobs]) {
      for (let changed = true; changed; ) {
        changed = false;
        const t = job.timers;
        const state = job.properties.state;
        if (state === 'Creating' && t.creatingExpiresAt !== undefined && t.creatingExpiresAt <= now) {
          jobs.delete(key);
          record(job, 'expired', 'deleted after 14 days in Creating without an update', t.creatingExpiresAt);
          break;
        }
        if (state === 'Shipping' && t.shippedAt !== undefined && t.neverReceivedAt === undefined && t.shippedAt + timers.shippingWindowMs <= now) {
          t.neverReceivedAt = t.shippedAt + timers.shippingWindowMs;
          for (const drive of job.properties.driveList) if (drive.state === 'Specified') drive.state = 'NeverReceived';
          record(job, 'never-received', 'package not received within the shipping window; operations notified', t.neverReceivedAt);
          changed = true;
          continue;
        }
        if (state === 'Shipping' && t.neverReceivedAt !== undefined && t.neverReceivedAt + timers.neverReceivedToClosedMs <= now) {
          enterState(job, 'Closed', t.neverReceivedAt + timers.neverReceivedToClosedMs);
          changed = true;
          continue;
        }
        if (isFinished(state) && t.finishedAt !== undefined && t.finishedAt + timers.retentionMs <= now) {
          jobs.delete(key);
          record(job, 'retention-deleted', `deleted ${timers.retentionMs / DAY_MS} days after ${state}`, t.finishedAt + timers.retentionMs);
          break;
        }
      }
    }
  };

  const trackingNumberOwner = (trackingNumber: string, except: JobRecord | undefined): JobRecord | undefined => {
    const wanted = trackingNumber.trim().toLowerCase();
    for (const job of jobs.values()) {
      if (job === except) continue;
      if (job.properties.deliveryPackage?.trackingNumber.toLowerCase() === wanted) return job;
    }
    return undefined;
  };

  const checkTracking = (trackingNumber: string, self: JobRecord | undefined, target: string): void => {
    const owner = trackingNumberOwner(trackingNumber, self);
    if (owner) {
      fail(409, 'TrackingNumberInUse', `The tracking number '${trackingNumber}' is already used by job '${owner.name}'; every job needs its own package and tracking number.`, target);
    }
  };

  interface Caller {
    name: string;
    type: string;
    tenantId: string;
  }

  const authenticate = (req: IncomingMessage, method: string, path: string): Caller => {
    const header = req.headers.authorization;
    const challenge = { 'WWW-Authenticate': `Bearer authorization_uri="${origin}/${defaultTenant}", error="invalid_token", error_description="The access token is missing or invalid."` };
    if (options.disableAuth) return { name: 'anonymous', type: 'Key', tenantId: defaultTenant };
    if (!header) throw new HttpFailure(401, [{ code: 'AuthenticationFailed', target: '', message: "Authentication failed. The 'Authorization' header is missing." }], challenge);
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new HttpFailure(401, [{ code: 'AuthenticationFailed', target: '', message: "Authentication failed. The 'Authorization' header is not a Bearer token." }], challenge);
    const token = m[1]!;
    if (staticTokens.has(token)) {
      authLog.push({ method, path, kind: 'static', token });
      return { name: 'static-token', type: 'Application', tenantId: defaultTenant };
    }
    const claims = decodeToken(token);
    if (!claims) throw new HttpFailure(401, [{ code: 'InvalidAuthenticationToken', target: '', message: 'The access token is invalid.' }], challenge);
    const audiences = [...ARM_AUDIENCES, origin, `${origin}/`];
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
      throw new HttpFailure(401, [{ code: 'InvalidAuthenticationTokenAudience', target: '', message: `The access token has been obtained for the wrong audience or resource '${String(claims.aud)}'.` }], challenge);
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
      throw new HttpFailure(401, [{ code: 'ExpiredAuthenticationToken', target: '', message: 'The access token expiry UTC time is earlier than current UTC time.' }], challenge);
    }
    authLog.push({ method, path, kind: 'jwt', token, claims });
    const upn = typeof claims.upn === 'string' ? claims.upn : undefined;
    const appid = typeof claims.appid === 'string' ? claims.appid : undefined;
    return {
      name: upn ?? appid ?? 'unknown',
      type: upn ? 'User' : appid ? 'Application' : 'Key',
      tenantId: typeof claims.tid === 'string' ? claims.tid : defaultTenant,
    };
  };

  const locationWire = (l: LocationResource): LocationResource => structuredClone(l);

  const listJobsPage = (url: URL, subscriptionId: string, resourceGroupName: string | undefined): unknown => {
    const topRaw = url.searchParams.get('$top');
    let top = pageSize;
    if (topRaw !== null) {
      top = Number(topRaw);
      if (!/^\d+$/.test(topRaw) || top < 1 || top > 100) fail(400, 'InvalidQueryParameterValue', `The value '${topRaw}' of $top is invalid: use an integer from 1 to 100.`, '$top');
    }
    const filterRaw = url.searchParams.get('$filter');
    const terms = filterRaw === null ? [] : parseFilter(filterRaw);
    if (terms === undefined) fail(400, 'InvalidFilter', `The $filter '${filterRaw}' is not supported: use name, state, jobType or location with eq, joined by and.`, '$filter');
    const skip = url.searchParams.get('$skiptoken');
    const after = skip === null ? undefined : Buffer.from(skip, 'base64url').toString('utf8');
    const selected = [...jobs.entries()]
      .filter(([, j]) => j.subscriptionId.toLowerCase() === subscriptionId.toLowerCase())
      .filter(([, j]) => resourceGroupName === undefined || j.resourceGroupName.toLowerCase() === resourceGroupName.toLowerCase())
      .filter(([, j]) => matchesFilter(j, terms))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([k]) => after === undefined || k > after);
    const page = selected.slice(0, top);
    const body: { value: unknown[]; nextLink?: string } = { value: page.map(([, j]) => jobToWire(j)) };
    if (selected.length > top) {
      const next = new URL(url.pathname, origin);
      next.searchParams.set('api-version', url.searchParams.get('api-version') ?? API_VERSION);
      next.searchParams.set('$top', String(top));
      if (filterRaw !== null) next.searchParams.set('$filter', filterRaw);
      next.searchParams.set('$skiptoken', Buffer.from(page.at(-1)![0]).toString('base64url'));
      body.nextLink = next.toString();
    }
    return body;
  };

  const requireJobForRequest = (ref: JobRef): JobRecord => {
    const job = getRecord(ref);
    if (!job) fail(404, 'ResourceNotFound', `The Resource 'Microsoft.ImportExport/jobs/${ref.jobName}' under resource group '${ref.resourceGroupName}' was not found.`);
    return job;
  };

  const putJob = (ref: JobRef, body: unknown, caller: Caller): { status: number; body: unknown } => {
    const nameFailure = validateJobName(ref.jobName, policy);
    const parsed = parsePutJob(body, policy);
    const failures = [...(nameFailure ? [nameFailure] : []), ...('failures' in parsed ? parsed.failures : [])];
    if (failures.length > 0 || !('ok' in parsed)) throw new HttpFailure(400, failures);
    const existing = getRecord(ref);
    if (existing && existing.properties.state !== 'Creating') {
      fail(409, 'InvalidJobState', `The job '${ref.jobName}' is in state ${existing.properties.state}; it can be replaced by PUT only while Creating. Use PATCH to update it.`);
    }
    const input = parsed.ok;
    if (input.properties.deliveryPackage) checkTracking(input.properties.deliveryPackage.trackingNumber, existing, 'properties.deliveryPackage.trackingNumber');
    const location = findLocation(locations, input.location)!;
    const site = shippingSite(locations, location).properties;
    const now = clock.now();
    const job: JobRecord = {
      subscriptionId: ref.subscriptionId,
      resourceGroupName: ref.resourceGroupName,
      name: ref.jobName,
      location: location.name,
      tags: input.tags,
      identity: input.identityType === 'SystemAssigned'
        ? { type: 'SystemAssigned', principalId: existing?.identity.principalId ?? randomUUID(), tenantId: caller.tenantId }
        : { type: input.identityType },
      systemData: {
        createdBy: existing?.systemData.createdBy ?? caller.name,
        createdByType: existing?.systemData.createdByType ?? caller.type,
        createdAt: existing?.systemData.createdAt ?? iso(now),
        lastModifiedBy: caller.name,
        lastModifiedByType: caller.type,
        lastModifiedAt: iso(now),
      },
      properties: {
        ...input.properties,
        shippingInformation: {
          recipientName: site.recipientName,
          streetAddress1: site.streetAddress1,
          streetAddress2: site.streetAddress2,
          city: site.city,
          stateOrProvince: site.stateOrProvince,
          postalCode: site.postalCode,
          countryOrRegion: site.countryOrRegion,
          phone: site.phone,
          additionalInformation: site.additionalShippingInformation,
        },
        // Export drives start Received (§6.18); export jobs get their drives later.
        state: 'Creating',
        cancelRequested: false,
        provisioningState: 'Succeeded',
      },
      timers: { creatingExpiresAt: now + timers.creatingExpiryMs },
    };
    jobs.set(refKey(ref), job);
    record(job, existing ? 'updated' : 'created', existing ? 'replaced by PUT' : 'created');
    return { status: existing ? 200 : 201, body: jobToWire(job) };
  };

  const patchJob = (ref: JobRef, body: unknown, caller: Caller): unknown => {
    const job = requireJobForRequest(ref);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) fail(400, 'InvalidRequestContent', 'The request body must be a JSON object.');
    const b = body as Record<string, unknown>;
    const props = (b.properties ?? {}) as Record<string, unknown>;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) fail(400, 'InvalidRequestContent', "'properties' must be an object.", 'properties');
    const state = job.properties.state;
    const failures: Failure[] = [];
    const conflict = (target: string, allowed: string): never =>
      fail(409, 'InvalidJobState', `'${target}' cannot be changed while the job is ${state}; it can be changed ${allowed}.`, target);

    // Parse everything first, so a rejected PATCH changes nothing.
    let tags: Record<string, string> | undefined;
    if (b.tags !== undefined) {
      if (typeof b.tags !== 'object' || b.tags === null || Object.values(b.tags).some((v) => typeof v !== 'string')) {
        failures.push({ code: 'InvalidRequestContent', target: 'tags', message: 'tags must be an object of string values.' });
      } else tags = { ...(b.tags as Record<string, string>) };
    }
    if (props.cancelRequested !== undefined && props.cancelRequested !== true) {
      failures.push({ code: 'InvalidCancelRequested', target: 'properties.cancelRequested', message: 'cancelRequested can only be set to true.' });
    }
    if (props.state !== undefined && props.state !== 'Shipping') {
      failures.push({ code: 'InvalidState', target: 'properties.state', message: `The only state a client can set is 'Shipping', not '${String(props.state)}'.` });
    }
    const returnAddress = props.returnAddress === undefined ? undefined : parseReturnAddress(props.returnAddress, 'properties.returnAddress', failures);
    const returnShipping = props.returnShipping === undefined ? undefined : parseReturnShipping(props.returnShipping, 'properties.returnShipping', failures);
    const deliveryPackage = props.deliveryPackage === undefined ? undefined : parseDeliveryPackage(props.deliveryPackage, 'properties.deliveryPackage', failures);
    const logLevel = parseLogLevel(props.logLevel, 'properties.logLevel', failures);
    const backupDriveManifest = parseBoolean(props.backupDriveManifest, 'properties.backupDriveManifest', failures);
    let driveList: DriveRecord[] | undefined;
    if (props.driveList !== undefined) {
      if (job.properties.jobType === 'Import') driveList = parseImportDriveList(props.driveList, 'properties.driveList', policy, failures);
      else failures.push({ code: 'DriveListNotAllowed', target: 'properties.driveList', message: 'The drives of an export job are set by the service.' });
    }
    if (failures.length > 0) throw new HttpFailure(400, failures);

    if (props.cancelRequested === true && !job.properties.cancelRequested && !cancelAllowed(cancelWindow, state)) {
      fail(409, 'InvalidJobState', `The job is ${state}; cancellation is accepted only while ${cancelWindow === 'Creating' ? 'Creating' : cancelWindow === 'CreatingOrShipping' ? 'Creating or Shipping' : 'before Packaging'}.`, 'properties.cancelRequested');
    }
    if (deliveryPackage && !['Creating', 'Shipping'].includes(state)) conflict('properties.deliveryPackage', 'while Creating or Shipping');
    if ((returnAddress || returnShipping) && isFinished(state)) conflict(returnAddress ? 'properties.returnAddress' : 'properties.returnShipping', 'until the job is finished');
    if ((logLevel !== undefined || backupDriveManifest !== undefined) && !['Creating', 'Shipping', 'Received'].includes(state)) {
      conflict(logLevel !== undefined ? 'properties.logLevel' : 'properties.backupDriveManifest', 'until the drives are received');
    }
    if (driveList && state !== 'Creating') conflict('properties.driveList', 'only while Creating');
    if (props.state === 'Shipping') {
      if (job.properties.cancelRequested || props.cancelRequested === true) fail(409, 'InvalidJobState', 'A job with a cancel request cannot move to Shipping.', 'properties.state');
      if (state !== 'Creating' && state !== 'Shipping') conflict('properties.state', 'from Creating only');
      if (!(returnAddress ?? job.properties.returnAddress)) {
        fail(400, 'ReturnAddressRequired', 'A job can move to Shipping only once its return address is set.', 'properties.returnAddress');
      }
      if (!(deliveryPackage ?? job.properties.deliveryPackage)) {
        fail(400, 'DeliveryPackageRequired', 'A job can move to Shipping only once its delivery package (carrier and tracking number) is set.', 'properties.deliveryPackage');
      }
    }
    if (deliveryPackage) checkTracking(deliveryPackage.trackingNumber, job, 'properties.deliveryPackage.trackingNumber');

    const p = job.properties;
    if (tags) job.tags = tags;
    if (returnAddress) p.returnAddress = returnAddress;
    if (returnShipping) p.returnShipping = returnShipping;
    if (deliveryPackage) p.deliveryPackage = deliveryPackage;
    if (logLevel !== undefined) p.logLevel = logLevel;
    if (backupDriveManifest !== undefined) p.backupDriveManifest = backupDriveManifest;
    if (driveList) p.driveList = driveList;
    const now = clock.now();
    if (state === 'Creating') job.timers.creatingExpiresAt = now + timers.creatingExpiryMs;
    if (props.state === 'Shipping') enterState(job, 'Shipping');
    if (props.cancelRequested === true && !p.cancelRequested) {
      p.cancelRequested = true;
      record(job, 'updated', 'cancel requested');
      // Nothing was shipped yet: the job ends at once. Later, the datacenter skips the copy.
      if (state === 'Creating') enterState(job, canceledEndState);
    }
    job.systemData.lastModifiedBy = caller.name;
    job.systemData.lastModifiedByType = caller.type;
    job.systemData.lastModifiedAt = iso(now);
    record(job, 'updated', Object.keys(props).join(',') || 'tags');
    return jobToWire(job);
  };

  const deleteJob = (ref: JobRef): void => {
    const job = requireJobForRequest(ref);
    if (!deleteStates.includes(job.properties.state)) {
      fail(409, 'InvalidJobState', `The job is ${job.properties.state}; it can be deleted only while ${deleteStates.join(' or ')}.`);
    }
    jobs.delete(refKey(ref));
    record(job, 'deleted', 'deleted by the client');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', origin);
    const query = Object.fromEntries(url.searchParams);
    const entry: RequestRecord = { at: clock.now(), method, path: url.pathname, query, status: 0 };
    const clientTenant = req.headers['x-ms-client-tenant-id'];
    if (typeof clientTenant === 'string') entry.clientTenantId = clientTenant;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      const requestId = randomUUID();
      res.writeHead(status, {
        'x-ms-request-id': requestId,
        'x-ms-correlation-request-id': typeof req.headers['x-ms-client-request-id'] === 'string' ? req.headers['x-ms-client-request-id'] : requestId,
        ...(body === undefined ? { 'content-length': '0' } : { 'content-type': 'application/json; charset=utf-8' }),
        ...headers,
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const bodyText = await readBody(req);
      const token = tokenService.handle(method, url.pathname, bodyText, origin);
      if (token) {
        send(token.status, token.body);
        return;
      }
      requests.push(entry);
      const injected = faults.take(method, url.pathname);
      if (injected !== undefined) {
        entry.errorCode = injected.body.error.code;
        return send(injected.status, injected.body, injected.headers);
      }
      for (const routes of extraRoutes) {
        const answer = routes({ method, url, body: bodyText, headers: req.headers, authenticate: () => authenticate(req, method, url.pathname) });
        if (answer !== undefined) return send(answer.status, answer.body);
      }
      const route = matchRoute(url.pathname);
      if (!route) fail(404, 'NotFound', `No Microsoft.ImportExport operation matches '${url.pathname}'.`);
      if (!ALLOWED_METHODS[route.kind].includes(method)) fail(405, 'MethodNotAllowed', `The method ${method} is not allowed on this resource.`);
      const caller = authenticate(req, method, url.pathname);
      const version = url.searchParams.get('api-version');
      if (version === null) fail(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
      if (!apiVersions.includes(version)) {
        fail(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid. The supported versions are '${apiVersions.join(',')}'.`);
      }
      sweep();
      let body: unknown;
      if (method === 'PUT' || method === 'PATCH') {
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) fail(415, 'UnsupportedMediaType', "The content media type is not supported. Use 'application/json'.");
        try {
          body = JSON.parse(bodyText);
        } catch {
          fail(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
        }
      }
      switch (route.kind) {
        case 'locations':
          return send(200, { value: locations.map(locationWire) });
        case 'location': {
          const found = findLocation(locations, route.name);
          if (!found) fail(404, 'ResourceNotFound', `The location '${route.name}' is not an Import/Export location.`);
          return send(200, locationWire(found));
        }
        case 'operations':
          return send(200, { value: OPERATIONS });
        case 'jobsBySubscription':
          return send(200, listJobsPage(url, route.subscriptionId, undefined));
        case 'jobsByResourceGroup':
          return send(200, listJobsPage(url, route.subscriptionId, route.resourceGroupName));
        case 'bitLockerKeys': {
          const job = requireJobForRequest(route.ref);
          return send(200, { value: job.properties.driveList.filter((d) => d.bitLockerKey !== undefined).map((d) => ({ driveId: d.driveId, bitLockerKey: d.bitLockerKey })) });
        }
        case 'job':
          if (method === 'GET') return send(200, jobToWire(requireJobForRequest(route.ref)));
          if (method === 'PUT') {
            const result = putJob(route.ref, body, caller);
            return send(result.status, result.body);
          }
          if (method === 'PATCH') return send(200, patchJob(route.ref, body, caller));
          deleteJob(route.ref);
          return send(200, undefined);
      }
    } catch (error) {
      if (error instanceof HttpFailure) {
        entry.errorCode = error.failures[0]?.code ?? '';
        send(error.status, armError(error.failures), error.headers);
      } else {
        entry.errorCode = 'InternalServerError';
        send(500, armError([{ code: 'InternalServerError', target: '', message: (error as Error).stack ?? String(error) }]));
      }
    }
  };

  const listener = await listenHttps(options.certificates, handle);
  origin = listener.origin;
  const unsubscribe = clock.onAdvance(() => sweep());

  const requireRecord = (ref: JobRef): JobRecord => {
    const job = getRecord(ref);
    if (!job) throw new Error(`no job ${ref.subscriptionId}/${ref.resourceGroupName}/${ref.jobName}`);
    return job;
  };
  const requireDrive = (job: JobRecord, driveId: string): DriveRecord => {
    const drive = job.properties.driveList.find((d) => d.driveId === driveId);
    if (!drive) throw new Error(`job ${job.name} has no drive ${driveId}`);
    return drive;
  };

  return {
    endpoint: origin,
    authorityHost: origin,
    port: Number(new URL(origin).port),
    clock,
    tokenService,
    locations,
    config: { cancelWindow, canceledEndState, deleteStates: [...deleteStates], timers },
    requests,
    authLog,
    events,
    getJob: (ref) => {
      const job = getRecord(ref);
      return job ? structuredClone(job) : undefined;
    },
    requireJob: (ref) => structuredClone(requireRecord(ref)),
    listJobs: () => [...jobs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, j]) => structuredClone(j)),
    setJobState: (ref, state) => enterState(requireRecord(ref), state),
    setDriveState: (ref, driveId, state, extra) => {
      const job = requireRecord(ref);
      const drive = requireDrive(job, driveId);
      if (drive.state !== state) record(job, 'drive', `${driveId}: ${drive.state} -> ${state}`);
      Object.assign(drive, extra ?? {}, { state });
    },
    updateDrive: (ref, driveId, patch) => {
      const drive = requireDrive(requireRecord(ref), driveId);
      Object.assign(drive, patch);
    },
    updateJob: (ref, patch) => {
      Object.assign(requireRecord(ref).properties, patch);
    },
    advance: (ms) => clock.advance(ms),
    sweep,
    addRoutes: (routes) => {
      extraRoutes.push(routes);
    },
    faults,
    mintArmToken: (tenantId = defaultTenant) => mintToken({ audience: 'https://management.azure.com/', tenantId, userPrincipalName: 'admin@contoso.example' }),
    stop: async () => {
      unsubscribe();
      await listener.close();
    },
  };
}
