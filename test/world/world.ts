/**
 * The whole test world in one call: a certificate authority, Azurite (HTTPS, OAuth, a named storage
 * account), the Import/Export emulator with its token service, and the datacenter bound to both.
 *
 *   const world = await startWorld();
 *   try { ... world.importExportClient() ... world.env ... } finally { await world.stop(); }
 *
 * Environment for child processes (`world.env`; the engine reads these names):
 *   NODE_EXTRA_CA_CERTS                    PEM of the test CA: trust for the emulator, token service and Azurite.
 *   OFFLINESEED_ARM_ENDPOINT               https://127.0.0.1:<port> → StorageImportExport `endpoint` (real:
 *                                          https://management.azure.com, or per -Environment).
 *   OFFLINESEED_ARM_SCOPE                  https://management.azure.com/.default → `credentialScopes`, so tokens
 *                                          keep ARM's real audience even with an overridden endpoint.
 *   OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE  https://127.0.0.1:<port>/{account} → blob endpoint of an account
 *                                          (real: https://{account}.blob.core.windows.net, .usgovcloudapi.net, .chinacloudapi.cn).
 *   OFFLINESEED_STORAGE_SCOPE              https://storage.azure.com/.default (Azurite checks this audience).
 *   OFFLINESEED_DISABLE_INSTANCE_DISCOVERY 1 → pass `disableInstanceDiscovery: true` to @azure/identity credentials
 *                                          (DefaultAzureCredential, ClientSecretCredential, …): MSAL would otherwise ask
 *                                          login.microsoftonline.com about the authority and fail.
 *   OFFLINESEED_GRAPH_ENDPOINT, OFFLINESEED_GRAPH_SCOPE  Microsoft Graph (graphEmulator.ts) on the emulator's origin,
 *                                          and the scope https://graph.microsoft.com/.default.
 *   AZURE_AUTHORITY_HOST                   https://127.0.0.1:<port> (standard @azure/identity variable; honoured by all
 *                                          MSAL-based credentials).
 *   AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET  a service principal the token service knows (standard
 *                                          EnvironmentCredential variables, so DefaultAzureCredential works unchanged).
 *   AZURE_SUBSCRIPTION_ID, OFFLINESEED_TEST_RESOURCE_GROUP, OFFLINESEED_TEST_STORAGE_ACCOUNT  the world's coordinates,
 *                                          for tests that build requests (not read by the engine).
 *   OFFLINESEED_DATABOX_ENDPOINT           https://127.0.0.1:<port> of the Microsoft.DataBox emulator → DataBoxManagementClient
 *                                          `endpoint` (real: the ARM endpoint, the same as Import/Export's).
 *   OFFLINESEED_ARM_POLL_MS                50 → how often the engine polls a long-running ARM operation when the
 *                                          service sends no Retry-After (the SDK default is 2000 ms).
 * An access token "handed over" (Get-AzAccessToken) can be minted with `world.emulator.mintArmToken()` and
 * `world.mintStorageToken()`; both services accept them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataBoxManagementClient } from '@azure/arm-databox';
import { StorageImportExport } from '@azure/arm-storageimportexport';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { attachArmResources, type ArmResources } from './armResourcesEmulator.ts';
import { attachGraph, type GraphEmulator } from './graphEmulator.ts';
import { startAzurite, type Azurite, type StorageAccount } from './azurite.ts';
import { makeTestCertificates, trustInThisProcess, type TestCertificates } from './certs.ts';
import { createVirtualClock, type VirtualClock } from './clock.ts';
import { createDataBoxDatacenter, type DataBoxDatacenter } from './dataBoxDatacenter.ts';
import { startDataBoxEmulator, type DataBoxEmulator, type DataBoxEmulatorOptions } from './dataBoxEmulator.ts';
import { createDatacenter, type Datacenter, type DatacenterOptions } from './datacenter.ts';
import { ARM_SCOPE, startImportExportEmulator, type EmulatorOptions, type ImportExportEmulator, type JobRef } from './importExportEmulator.ts';
import { mintToken } from './jwt.ts';

export interface WorldOptions {
  /** Storage accounts Azurite serves (default one account "seedstore" with a random key). */
  accounts?: StorageAccount[];
  /** Serve Azurite over HTTPS with `--oauth basic` (default true), so bearer tokens work for blobs. */
  azuriteHttps?: boolean;
  /** Emulator behaviour (cancel window, delete states, timers, page size, …). */
  emulator?: Omit<EmulatorOptions, 'certificates' | 'clock' | 'principals' | 'storageAccounts'>;
  datacenter?: Omit<DatacenterOptions, 'emulator' | 'storage'>;
  /** Microsoft.DataBox emulator behaviour (LRO handover polls, delete mode, timers, …). */
  dataBox?: Omit<DataBoxEmulatorOptions, 'certificates' | 'clock' | 'tokenService' | 'storageAccounts' | 'tenantId'>;
  /** Add the test CA to this process's default trust (default true). */
  trustInProcess?: boolean;
  /** Virtual clock start (default: real now). */
  clockStartMs?: number;
}

export interface World {
  subscriptionId: string;
  resourceGroupName: string;
  tenantId: string;
  principal: { tenantId: string; clientId: string; clientSecret: string };
  storageAccount: StorageAccount;
  clock: VirtualClock;
  certificates: TestCertificates;
  azurite: Azurite;
  emulator: ImportExportEmulator;
  /** Subscription, resource group, storage accounts, providers and permissions (armResourcesEmulator.ts). */
  armResources: ArmResources;
  /** Microsoft Graph applications (graphEmulator.ts); the world's service principal may change them. */
  graph: GraphEmulator;
  datacenter: Datacenter;
  /** The Microsoft.DataBox emulator (customer-disk jobs) and its datacenter (copy logs in databoxcopylog). */
  dataBox: DataBoxEmulator;
  dataBoxDatacenter: DataBoxDatacenter;
  armEndpoint: string;
  authorityHost: string;
  storageEndpointTemplate: string;
  /** Variables for a child process (merge over process.env). */
  env: Record<string, string>;
  /** Scratch directory removed by stop(). */
  tmpDir: string;
  /** ARM id of a storage account of the world (the first by default). */
  storageAccountId(account?: string): string;
  jobRef(jobName: string): JobRef;
  /** Shared Key client of an account (what the datacenter uses). */
  blobService(account?: string): BlobServiceClient;
  /** A real ClientSecretCredential against the token service. */
  credential(): ClientSecretCredential;
  /** The real SDK client pointed at the emulator (credential: the world's service principal by default). */
  importExportClient(credential?: TokenCredential): StorageImportExport;
  /** The real @azure/arm-databox client pointed at the Data Box emulator (polls every 20 ms). */
  dataBoxClient(credential?: TokenCredential): DataBoxManagementClient;
  mintStorageToken(): string;
  stop(): Promise<void>;
}

export { ARM_SCOPE };
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const tmpDir = mkdtempSync(join(tmpdir(), 'offlineseed-world-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(tmpDir, { recursive: true, force: true });
  };
  try {
    const certificates = makeTestCertificates(tmpDir);
    if (options.trustInProcess ?? true) trustInThisProcess(certificates.caPem);
    const tenantId = randomUUID();
    const principal = { tenantId, clientId: randomUUID(), clientSecret: randomBytes(24).toString('base64url') };
    const accounts = options.accounts ?? [{ name: 'seedstore', key: randomBytes(64).toString('base64') }];
    const https = options.azuriteHttps ?? true;
    const azurite = await startAzurite({ accounts, ...(https ? { https: certificates } : {}) });
    stops.push(() => azurite.stop());
    const clock = createVirtualClock(options.clockStartMs);
    const emulator = await startImportExportEmulator({
      ...options.emulator,
      certificates,
      clock,
      principals: [principal],
      storageAccounts: accounts.map((a) => a.name),
      tenantId,
    });
    stops.push(() => emulator.stop());
    const blobClients = new Map<string, BlobServiceClient>();
    const blobService = (name?: string): BlobServiceClient => {
      const account = name === undefined ? accounts[0]! : accounts.find((a) => a.name === name);
      if (!account) throw new Error(`the world has no storage account '${name}'`);
      let client = blobClients.get(account.name);
      if (!client) {
        client = new BlobServiceClient(azurite.blobEndpoint(account.name), new StorageSharedKeyCredential(account.name, account.key), {
          retryOptions: { maxTries: 2 },
        });
        blobClients.set(account.name, client);
      }
      return client;
    };
    const datacenter = createDatacenter({ ...options.datacenter, emulator, storage: blobService });
    const dataBox = await startDataBoxEmulator({
      ...options.dataBox,
      certificates,
      clock,
      tokenService: emulator.tokenService,
      storageAccounts: accounts.map((a) => a.name),
      tenantId,
    });
    stops.push(() => dataBox.stop());
    const dataBoxDatacenter = createDataBoxDatacenter({ emulator: dataBox, storage: blobService, ...(options.datacenter?.requireBitLocker === undefined ? {} : { requireBitLocker: options.datacenter.requireBitLocker }) });
    const subscriptionId = randomUUID();
    const resourceGroupName = 'offlineseed-rg';
    const graph = attachGraph(emulator, { tenantId, writers: [principal.clientId] });
    const armResources = attachArmResources(emulator, { subscriptionId, resourceGroupName, location: 'westus', storageAccounts: accounts.map((a) => a.name) });
    const credential = (): ClientSecretCredential =>
      new ClientSecretCredential(tenantId, principal.clientId, principal.clientSecret, {
        authorityHost: emulator.authorityHost,
        disableInstanceDiscovery: true,
      });
    const env: Record<string, string> = {
      NODE_EXTRA_CA_CERTS: certificates.caPath,
      OFFLINESEED_ARM_ENDPOINT: emulator.endpoint,
      OFFLINESEED_ARM_SCOPE: ARM_SCOPE,
      OFFLINESEED_DATABOX_ENDPOINT: dataBox.endpoint,
      OFFLINESEED_ARM_POLL_MS: '50',
      OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE: azurite.endpointTemplate,
      OFFLINESEED_STORAGE_SCOPE: STORAGE_SCOPE,
      OFFLINESEED_DISABLE_INSTANCE_DISCOVERY: '1',
      OFFLINESEED_GRAPH_ENDPOINT: emulator.endpoint,
      OFFLINESEED_GRAPH_SCOPE: 'https://graph.microsoft.com/.default',
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
      AZURE_TENANT_ID: tenantId,
      AZURE_CLIENT_ID: principal.clientId,
      AZURE_CLIENT_SECRET: principal.clientSecret,
      AZURE_SUBSCRIPTION_ID: subscriptionId,
      OFFLINESEED_TEST_RESOURCE_GROUP: resourceGroupName,
      OFFLINESEED_TEST_STORAGE_ACCOUNT: accounts[0]!.name,
    };
    return {
      subscriptionId,
      resourceGroupName,
      tenantId,
      principal,
      storageAccount: accounts[0]!,
      clock,
      certificates,
      azurite,
      emulator,
      armResources,
      graph,
      datacenter,
      dataBox,
      dataBoxDatacenter,
      armEndpoint: emulator.endpoint,
      authorityHost: emulator.authorityHost,
      storageEndpointTemplate: azurite.endpointTemplate,
      env,
      tmpDir,
      storageAccountId: (account = accounts[0]!.name) =>
        `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${account}`,
      jobRef: (jobName) => ({ subscriptionId, resourceGroupName, jobName }),
      blobService,
      credential,
      importExportClient: (cred) =>
        new StorageImportExport(cred ?? credential(), subscriptionId, {
          endpoint: emulator.endpoint,
          credentialScopes: [ARM_SCOPE],
          retryOptions: { maxRetries: 0 },
        }),
      dataBoxClient: (cred) =>
        new DataBoxManagementClient(cred ?? credential(), subscriptionId, {
          endpoint: dataBox.endpoint,
          credentialScopes: [ARM_SCOPE],
          retryOptions: { maxRetries: 0 },
        }),
      mintStorageToken: () => mintToken({ audience: 'https://storage.azure.com', tenantId, clientId: principal.clientId }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
