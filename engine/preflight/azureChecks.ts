/**
 * The Azure checks: the control plane answers, the credential gets a token, and the subscription,
 * resource group, storage account (kind and region), resource provider and the identity's rights are
 * what an import job needs. Each ARM answer is judged by a pure function below; runAzureChecks only
 * asks the questions, in order, and stops early where later answers would only repeat the cause.
 */
import type { TokenCredential } from '@azure/identity';
import type { AzureCloud } from '../azure/azureCloud.ts';
import { createRestClient, errorOf, type RestAnswer } from '../azure/restClient.ts';
import { containerNameProblem, resourceGroupProblem, storageAccountProblem, subscriptionIdProblem } from '../seed/azureNames.ts';
import { DATABOX_API_VERSION, dataBoxEndpoint } from '../importjob/dataBoxApi.ts';
import { fail, pass, warn, type CheckResult } from './check.ts';
import { missingOperations, type Permission } from './permissions.ts';

export type SeedingService = 'ImportExport' | 'DataBox';

export const PROVIDER_NAMESPACE: Record<SeedingService, string> = { ImportExport: 'Microsoft.ImportExport', DataBox: 'Microsoft.DataBox' };

export const API = {
  subscriptions: '2022-12-01',
  resourceGroups: '2021-04-01',
  providers: '2021-04-01',
  storage: '2023-01-01',
  permissions: '2022-04-01',
  importExport: '2021-01-01',
  dataBox: DATABOX_API_VERSION,
} as const;

/** What each service needs at the resource group (actions) and on the account (data actions, for the later steps). */
export const REQUIRED_ACTIONS: Record<SeedingService, string[]> = {
  ImportExport: ['Microsoft.ImportExport/jobs/read', 'Microsoft.ImportExport/jobs/write', 'Microsoft.ImportExport/jobs/delete', 'Microsoft.ImportExport/jobs/listBitLockerKeys/action', 'Microsoft.Storage/storageAccounts/read'],
  DataBox: ['Microsoft.DataBox/jobs/read', 'Microsoft.DataBox/jobs/write', 'Microsoft.DataBox/jobs/delete', 'Microsoft.DataBox/jobs/listCredentials/action', 'Microsoft.Storage/storageAccounts/read'],
};
export const REQUIRED_DATA_ACTIONS = [
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
];

export interface AzureTarget {
  subscriptionId?: string;
  resourceGroup?: string;
  storageAccount?: string;
  container?: string;
  service: SeedingService;
  /** The return address's country: Data Box answers which SKUs serve a region for a country. */
  country?: string;
}

const A = 'Azure' as const;

/** The name checks: pure, so they run with -Offline too. */
export function nameChecks(t: AzureTarget): CheckResult[] {
  const results: CheckResult[] = [];
  const named: [string, string | undefined, (v: string) => string | undefined, string][] = [
    ['SubscriptionId', t.subscriptionId, subscriptionIdProblem, 'Give the subscription GUID (Get-AzSubscription lists them).'],
    ['ResourceGroupName', t.resourceGroup, resourceGroupProblem, 'Give the resource group name as the portal shows it.'],
    ['StorageAccountName', t.storageAccount, storageAccountProblem, 'Storage account names are 3 to 24 lowercase letters and digits.'],
    ['ContainerName', t.container, containerNameProblem, 'Use 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit (e.g. offlineseed).'],
  ];
  for (const [check, value, problem, fix] of named) {
    if (value === undefined) continue;
    const p = problem(value);
    results.push(p === undefined ? pass(A, check, value, 'a valid name') : fail(A, check, value, `"${value}" ${p}`, fix));
  }
  return results;
}

function refusal(check: string, target: string, what: string, answer: RestAnswer, notFoundFix: string): CheckResult {
  const { code, message } = errorOf(answer);
  const said = `${answer.status} ${code}${message !== '' ? `: ${message}` : ''}`;
  if (answer.status === 404) return fail(A, check, target, `${what} was not found (${said})`, notFoundFix);
  if (answer.status === 401) return fail(A, check, target, `Azure refused the credential (${said})`, 'Sign in again or fix the credential (see the Credential check).');
  if (answer.status === 403) {
    return fail(A, check, target, `the identity may not read ${what} (${said})`,
      'Give the identity a role on it: Contributor on the resource group covers the import job and reading the storage account (New-AzRoleAssignment -ObjectId <id> -RoleDefinitionName Contributor -ResourceGroupName <rg>).');
  }
  return fail(A, check, target, `Azure Resource Manager answered ${said} for ${what}`, 'Try again later; if it persists, check the Azure status page.');
}

export function judgeSubscription(id: string, answer: RestAnswer): CheckResult {
  if (answer.status !== 200) return refusal('Subscription', id, `subscription ${id}`, answer, 'Check the subscription id, and that the identity has a role in it (Get-AzSubscription shows the ones you can see).');
  const state = String(answer.body?.['state'] ?? 'Unknown');
  const name = typeof answer.body?.['displayName'] === 'string' ? ` (${answer.body['displayName'] as string})` : '';
  if (state === 'Enabled') return pass(A, 'Subscription', id, `subscription${name} is Enabled`);
  if (state === 'Warned' || state === 'PastDue') return warn(A, 'Subscription', id, `subscription${name} is ${state}: it may be disabled before the import ends`, 'Settle the subscription\'s billing before shipping drives.');
  return fail(A, 'Subscription', id, `subscription${name} is ${state}: no job can be created in it`, 'Use an enabled subscription, or reactivate this one.');
}

export function judgeResourceGroup(name: string, answer: RestAnswer): CheckResult {
  if (answer.status !== 200) return refusal('ResourceGroup', name, `resource group ${name}`, answer, `Create it (New-AzResourceGroup -Name ${name} -Location <region>, or az group create -n ${name} -l <region>) or give the right name.`);
  return pass(A, 'ResourceGroup', name, `resource group exists (${String(answer.body?.['location'] ?? '?')})`);
}

const IMPORT_KINDS = new Set(['storagev2', 'storage', 'blobstorage']);
const DATABOX_KINDS = new Set(['storagev2', 'storage']);

function slug(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

/** Kind and region of the account; `importLocations` are the Import/Export sites (undefined: not known). */
export function judgeStorageAccount(name: string, answer: RestAnswer, service: SeedingService, importLocations: string[] | undefined): CheckResult[] {
  if (answer.status !== 200) {
    return [refusal('StorageAccount', name, `storage account ${name}`, answer, `Create a general-purpose v2 account (New-AzStorageAccount -ResourceGroupName <rg> -Name ${name} -SkuName Standard_LRS -Kind StorageV2 -Location <region>) or give the right name and resource group.`)];
  }
  const kind = String(answer.body?.['kind'] ?? '');
  const location = String(answer.body?.['location'] ?? '');
  const props = (answer.body?.['properties'] ?? {}) as Record<string, unknown>;
  const results: CheckResult[] = [pass(A, 'StorageAccount', name, `storage account exists (${kind}, ${location})`)];
  const kinds = service === 'ImportExport' ? IMPORT_KINDS : DATABOX_KINDS;
  if (!kinds.has(kind.toLowerCase())) {
    results.push(fail(A, 'StorageAccountKind', name, `kind ${kind} cannot receive ${service === 'ImportExport' ? 'an Import/Export' : 'a Data Box'} import (it takes ${service === 'ImportExport' ? 'StorageV2, Storage (v1) or BlobStorage' : 'StorageV2 or Storage (v1)'})`,
      'Use a general-purpose v2 account (Kind StorageV2, Standard performance).'));
  } else if (props['isNfsV3Enabled'] === true) {
    results.push(fail(A, 'StorageAccountKind', name, 'the account has NFS 3.0 enabled, which the import service does not support', 'Use a general-purpose v2 account without NFS 3.0.'));
  } else {
    results.push(pass(A, 'StorageAccountKind', name, `kind ${kind} supports import`));
  }
  if (service === 'ImportExport' && importLocations !== undefined) {
    if (importLocations.map(slug).includes(slug(location))) results.push(pass(A, 'StorageAccountRegion', name, `${location} has an Import/Export shipping site`));
    else {
      results.push(fail(A, 'StorageAccountRegion', name, `${location} has no Import/Export shipping site`,
        `Use a storage account in a region the service ships to (Get-AzImportExportLocation lists them: ${importLocations.slice(0, 6).join(', ')}${importLocations.length > 6 ? ', ...' : ''}).`));
    }
  }
  return results;
}

/** Whether the account's region offers Data Box customer disks (availableSkus), or why that is unknown. */
export function judgeDataBoxRegion(name: string, location: string, answer: RestAnswer | undefined): CheckResult {
  const fix = 'Use a storage account in a region that offers Data Box customer disks (the portal lists them when you order a Data Box "Import/Export" job), or move the seed there.';
  if (answer === undefined) {
    return warn(A, 'StorageAccountRegion', name, `whether ${location} offers Data Box customer disks was not checked: the return address names no country`, 'Give -ReturnAddress (or save it once with Set-OfflineSeedProfile) and run the check again.');
  }
  if (answer.status !== 200) {
    const e = errorOf(answer);
    return warn(A, 'StorageAccountRegion', name, `the Data Box SKUs of ${location} could not be read (HTTP ${answer.status} ${e.code}: ${e.message})`, 'Run the check again later; the region is checked again when the job is created.');
  }
  const skus = (answer.body?.['value'] ?? []) as { sku?: { name?: string }; enabled?: boolean; properties?: { disabledReasonMessage?: string } }[];
  const disk = skus.find((s) => s.sku?.name === 'DataBoxCustomerDisk');
  if (disk?.enabled === true) return pass(A, 'StorageAccountRegion', name, `${location} offers Data Box customer disks`);
  return fail(A, 'StorageAccountRegion', name, `${location} does not offer Data Box customer disks${disk?.properties?.disabledReasonMessage === undefined ? '' : ` (${disk.properties.disabledReasonMessage})`}`, fix);
}

export function judgeProvider(subscriptionId: string, service: SeedingService, answer: RestAnswer): CheckResult {
  const ns = PROVIDER_NAMESPACE[service];
  const fix = `Register it once per subscription: Register-AzResourceProvider -ProviderNamespace ${ns} (or az provider register --namespace ${ns}); it needs the Microsoft.Resources/subscriptions/providers/register/action right (Contributor on the subscription).`;
  if (answer.status !== 200) return refusal('ResourceProvider', ns, `resource provider ${ns}`, answer, fix);
  const state = String(answer.body?.['registrationState'] ?? 'Unknown');
  if (state === 'Registered') return pass(A, 'ResourceProvider', ns, `${ns} is registered in subscription ${subscriptionId}`);
  if (state === 'Registering') return warn(A, 'ResourceProvider', ns, `${ns} is still registering in subscription ${subscriptionId}`, 'Wait a few minutes and run the check again.');
  return fail(A, 'ResourceProvider', ns, `${ns} is ${state} in subscription ${subscriptionId}: jobs cannot be created`, fix);
}

export function judgeRights(scope: string, permissions: Permission[], service: SeedingService, identity: string): CheckResult[] {
  const missing = missingOperations(permissions, REQUIRED_ACTIONS[service]);
  const results: CheckResult[] = [];
  if (missing.length > 0) {
    results.push(fail(A, 'Rights', scope, `${identity} lacks ${missing.join(', ')}`,
      `Assign the identity Contributor on the resource group (or a custom role with ${PROVIDER_NAMESPACE[service]}/jobs/* and Microsoft.Storage/storageAccounts/read): New-AzRoleAssignment -ApplicationId <client id> -RoleDefinitionName Contributor -Scope <resource group id>.`));
  } else results.push(pass(A, 'Rights', scope, `${identity} may create, read and remove ${service === 'ImportExport' ? 'import' : 'Data Box'} jobs and read the storage account`));
  const missingData = missingOperations(permissions, REQUIRED_DATA_ACTIONS, 'dataAction');
  if (missingData.length > 0) {
    results.push(warn(A, 'BlobDataRights', scope, `${identity} has no ${missingData.map((d) => d.split('/').slice(-1)[0]).join('/')} right on the blobs: completing the seed and later backups need it, or an account key or SAS`,
      'Assign Storage Blob Data Contributor on the storage account (New-AzRoleAssignment -ApplicationId <client id> -RoleDefinitionName "Storage Blob Data Contributor" -Scope <storage account id>), or give -StorageAccountKey / -SasToken to those steps.'));
  } else results.push(pass(A, 'BlobDataRights', scope, `${identity} may read and write the account's blobs`));
  return results;
}

/** Who the token is for, from its claims (never the token): "application <appid>" or the user. */
export function identityOfToken(token: string): string {
  const part = token.split('.')[1];
  if (part === undefined) return 'the identity';
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof claims['upn'] === 'string') return `user ${claims['upn']}`;
    if (typeof claims['appid'] === 'string') return `application ${claims['appid']}${typeof claims['tid'] === 'string' ? ` (tenant ${claims['tid']})` : ''}`;
  } catch {
    // not a JWT
  }
  return 'the identity';
}

function noAnswer(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return `${e.code !== undefined ? `${e.code}: ` : ''}${String(e.message ?? error).split('\n')[0]}`;
}

export async function runAzureChecks(t: AzureTarget, cloud: AzureCloud, credential: TokenCredential, signal: AbortSignal): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const arm = cloud.armEndpoint;
  // 1. Does the control plane answer at all (any HTTP status will do)?
  try {
    await createRestClient(arm, undefined, cloud.armScope, { maxRetries: 0 }).request('GET', `/subscriptions?api-version=${API.subscriptions}`, undefined, signal);
    results.push(pass(A, 'ControlPlane', arm, 'Azure Resource Manager answers'));
  } catch (error) {
    if (signal.aborted) throw error;
    results.push(fail(A, 'ControlPlane', arm, `Azure Resource Manager does not answer (${noAnswer(error)}); the other Azure checks were not run`,
      `Check the network, proxy (HTTPS_PROXY) and firewall: this computer must reach ${arm} and ${cloud.authorityHost} over HTTPS (443).`));
    return results;
  }
  // 2. Does the credential get a token?
  let identity = 'the identity';
  try {
    const token = await credential.getToken(cloud.armScope, { abortSignal: signal });
    if (token === null) throw new Error('no token');
    identity = identityOfToken(token.token);
    results.push(pass(A, 'Credential', identity, `a token for Azure Resource Manager was issued to ${identity}`));
  } catch (error) {
    if (signal.aborted) throw error;
    results.push(fail(A, 'Credential', cloud.authorityHost, `no token for Azure Resource Manager: ${String((error as Error).message ?? error).replace(/\s+/g, ' ').slice(0, 400)}; the other Azure checks were not run`,
      'Fix the credential: New-OfflineSeedCredential for an unattended identity, -CredentialProfile to use it, or sign in (Connect-AzAccount) for DefaultAzureCredential.'));
    return results;
  }
  if (t.subscriptionId === undefined || subscriptionIdProblem(t.subscriptionId) !== undefined) {
    if (t.subscriptionId === undefined) results.push(warn(A, 'Subscription', '(none)', 'no subscription was given, so the subscription, resource group, storage account, provider and rights were not checked', 'Give -SubscriptionId (or use a credential profile that names one).'));
    return results;
  }
  const client = createRestClient(arm, credential, cloud.armScope);
  const sub = `/subscriptions/${t.subscriptionId}`;
  const get = (path: string, version: string): Promise<RestAnswer> => client.request('GET', `${path}${path.includes('?') ? '&' : '?'}api-version=${version}`, undefined, signal);

  const subscription = judgeSubscription(t.subscriptionId, await get(sub, API.subscriptions));
  results.push(subscription);
  if (subscription.status === 'Fail') return results;
  results.push(judgeProvider(t.subscriptionId, t.service, await get(`${sub}/providers/${PROVIDER_NAMESPACE[t.service]}`, API.providers)));

  if (t.resourceGroup === undefined || resourceGroupProblem(t.resourceGroup) !== undefined) return results;
  const rgPath = `${sub}/resourceGroups/${t.resourceGroup}`;
  const group = judgeResourceGroup(t.resourceGroup, await get(rgPath, API.resourceGroups));
  results.push(group);
  if (group.status === 'Fail') return results;

  let scope = rgPath;
  if (t.storageAccount !== undefined && storageAccountProblem(t.storageAccount) === undefined) {
    let locations: string[] | undefined;
    if (t.service === 'ImportExport') {
      const answer = await get('/providers/Microsoft.ImportExport/locations', API.importExport);
      if (answer.status === 200 && Array.isArray(answer.body?.['value'])) {
        locations = (answer.body['value'] as { id?: string; name?: string }[]).flatMap((l) => [l.name ?? '', (l.id ?? '').split('/').pop() ?? '']).filter((n) => n !== '');
      }
    }
    const accountPath = `${rgPath}/providers/Microsoft.Storage/storageAccounts/${t.storageAccount}`;
    const answer = await get(accountPath, API.storage);
    const account = judgeStorageAccount(t.storageAccount, answer, t.service, locations);
    results.push(...account);
    if (t.service === 'DataBox' && answer.status === 200) {
      const dataBox = createRestClient(dataBoxEndpoint(cloud), credential, cloud.armScope);
      const location = String(answer.body?.['location'] ?? '');
      const skus = t.country === undefined ? undefined
        : await dataBox.request('POST', `${rgPath}/providers/Microsoft.DataBox/locations/${encodeURIComponent(location)}/availableSkus?api-version=${API.dataBox}`,
          { transferType: 'ImportToAzure', country: t.country, location }, signal);
      results.push(judgeDataBoxRegion(t.storageAccount, location, skus));
    }
    if (account[0]!.status !== 'Fail') scope = accountPath;
  }
  const permissions = await get(`${scope}/providers/Microsoft.Authorization/permissions`, API.permissions);
  if (permissions.status !== 200) results.push(refusal('Rights', scope, `the identity's permissions on ${scope}`, permissions, 'Give the identity at least Reader on the resource group, so its rights can be read.'));
  else results.push(...judgeRights(scope, (permissions.body?.['value'] ?? []) as Permission[], t.service, identity));
  return results;
}
