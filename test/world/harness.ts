/**
 * Test support for the world's own tests: the emulator alone (no Azurite) with a real SDK client,
 * a raw HTTPS request helper for what the SDK cannot send, and valid job bodies.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageImportExport, type DriveStatus, type PutJobParameters } from '@azure/arm-storageimportexport';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { recoveryPassword } from './armModel.ts';
import { makeTestCertificates, trustInThisProcess } from './certs.ts';
import { ARM_SCOPE, startImportExportEmulator, type EmulatorOptions, type ImportExportEmulator, type JobRef } from './importExportEmulator.ts';

export interface EmulatorHarness {
  emulator: ImportExportEmulator;
  subscriptionId: string;
  resourceGroupName: string;
  principal: { tenantId: string; clientId: string; clientSecret: string };
  credential(): ClientSecretCredential;
  client(credential?: TokenCredential, apiVersion?: string): StorageImportExport;
  storageAccountId(account?: string): string;
  ref(jobName: string): JobRef;
  /** A raw HTTPS request to the emulator, trusting the test CA explicitly. */
  raw(method: string, path: string, options?: { headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; json: unknown; headers: Record<string, string | string[] | undefined> }>;
  stop(): Promise<void>;
}

export async function startEmulatorHarness(options: Omit<EmulatorOptions, 'certificates' | 'principals'> = {}): Promise<EmulatorHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'offlineseed-emulator-'));
  const certificates = makeTestCertificates(dir);
  trustInThisProcess(certificates.caPem);
  const principal = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: randomBytes(18).toString('base64url') };
  const emulator = await startImportExportEmulator({
    storageAccounts: ['seedstore', 'otherstore'],
    ...options,
    tenantId: principal.tenantId,
    certificates,
    principals: [principal],
  });
  const subscriptionId = randomUUID();
  const resourceGroupName = 'offlineseed-rg';
  const credential = (): ClientSecretCredential =>
    new ClientSecretCredential(principal.tenantId, principal.clientId, principal.clientSecret, { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true });
  const shared = credential();
  return {
    emulator,
    subscriptionId,
    resourceGroupName,
    principal,
    credential,
    client: (cred, apiVersion) =>
      new StorageImportExport(cred ?? shared, subscriptionId, {
        endpoint: emulator.endpoint,
        credentialScopes: [ARM_SCOPE],
        retryOptions: { maxRetries: 0 },
        ...(apiVersion ? { apiVersion } : {}),
      }),
    storageAccountId: (account = 'seedstore') => `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${account}`,
    ref: (jobName) => ({ subscriptionId, resourceGroupName, jobName }),
    raw: (method, path, opts = {}) =>
      new Promise((resolve, reject) => {
        const req = request(`${emulator.endpoint}${path}`, { method, headers: opts.headers ?? {}, ca: certificates.caPem }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = body === '' ? undefined : JSON.parse(body);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body, json, headers: res.headers });
          });
        });
        req.on('error', reject);
        req.end(opts.body);
      }),
    stop: async () => {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const RETURN_ADDRESS = {
  recipientName: 'Pat Admin',
  streetAddress1: '1 Backup Way',
  city: 'Redmond',
  stateOrProvince: 'WA',
  postalCode: '98052',
  countryOrRegion: 'USA',
  phone: '4255550100',
  email: 'pat@contoso.example',
};

export const RETURN_SHIPPING = { carrierName: 'FedEx', carrierAccountNumber: '123456789' };

export interface DriveSpec {
  driveId: string;
  bitLockerKey?: string;
  manifestFile?: string;
  manifestHash?: string;
}

export function drives(count: number, prefix = 'WD-WMATV'): DriveSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    driveId: `${prefix}${String(i + 1).padStart(4, '0')}`,
    bitLockerKey: recoveryPassword(i + 1),
    manifestFile: '\\DriveManifest.xml',
    manifestHash: '109B21108597EF36D5785F08303F3638',
  }));
}

/** A valid import job body; `patch` replaces top-level properties. */
export function importJob(storageAccountId: string, patch: Record<string, unknown> = {}, location = 'West US'): PutJobParameters {
  return {
    location,
    properties: {
      storageAccountId,
      jobType: 'Import',
      returnAddress: RETURN_ADDRESS,
      returnShipping: RETURN_SHIPPING,
      diagnosticsPath: 'waimportexport',
      logLevel: 'Error',
      backupDriveManifest: false,
      driveList: drives(1) as DriveStatus[],
      ...patch,
    },
  };
}
