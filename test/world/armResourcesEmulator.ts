/**
 * The ARM surface beyond Microsoft.ImportExport that the preflight checks read, served on the
 * emulator's origin through its addRoutes hook (any api-version; bearer check as for jobs):
 *   GET  /subscriptions                                    list (also the "does ARM answer" probe)
 *   GET  /subscriptions/{sub}                              state Enabled | Warned | PastDue | Disabled
 *   GET  /subscriptions/{sub}/providers/{namespace}        registrationState; POST .../register registers it
 *   GET  /subscriptions/{sub}/resourceGroups/{rg}
 *   GET  /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}   kind, location
 *   GET  {any of those scopes}/providers/Microsoft.Authorization/permissions   the caller's permissions
 * Errors are ARM's: 404 SubscriptionNotFound / ResourceGroupNotFound / ResourceNotFound.
 * Permissions are per caller (an application's appid, a user's upn); callers not listed get
 * `defaultPermissions` (Contributor + Storage Blob Data Contributor), so the rest of the world works.
 */
import { armError } from './armModel.ts';
import type { ImportExportEmulator } from './importExportEmulator.ts';

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface StorageAccountResource {
  kind: string;
  location: string;
  isNfsV3Enabled?: boolean;
}

export const CONTRIBUTOR: Permission = { actions: ['*'], notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'], dataActions: [], notDataActions: [] };
export const READER: Permission = { actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] };
export const BLOB_DATA_CONTRIBUTOR: Permission = {
  actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/*'],
  notActions: [],
  dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'],
  notDataActions: [],
};

export interface ArmResources {
  subscriptions: Map<string, { displayName: string; state: string }>;
  /** key: "<sub>/<rg>" lowercase */
  resourceGroups: Map<string, { location: string }>;
  /** key: "<sub>/<rg>/<account>" lowercase */
  storageAccounts: Map<string, StorageAccountResource>;
  /** key: "<sub>/<namespace>" lowercase → registrationState */
  providers: Map<string, string>;
  /** caller name (appid or upn) → permissions */
  permissions: Map<string, Permission[]>;
  defaultPermissions: Permission[];
  setProvider(subscriptionId: string, namespace: string, state: string): void;
  setStorageAccount(subscriptionId: string, resourceGroup: string, name: string, account: StorageAccountResource | undefined): void;
}

export interface ArmResourcesOptions {
  subscriptionId: string;
  resourceGroupName: string;
  location: string;
  storageAccounts: string[];
}

const lower = (...parts: string[]): string => parts.join('/').toLowerCase();

function notFound(code: string, message: string): { status: number; body: unknown } {
  return { status: 404, body: armError([{ code, message, target: '' }]) };
}

export function attachArmResources(emulator: ImportExportEmulator, options: ArmResourcesOptions): ArmResources {
  const state: ArmResources = {
    subscriptions: new Map([[options.subscriptionId.toLowerCase(), { displayName: 'OfflineSeed test subscription', state: 'Enabled' }]]),
    resourceGroups: new Map([[lower(options.subscriptionId, options.resourceGroupName), { location: options.location }]]),
    storageAccounts: new Map(options.storageAccounts.map((a) => [lower(options.subscriptionId, options.resourceGroupName, a), { kind: 'StorageV2', location: options.location }])),
    providers: new Map([[lower(options.subscriptionId, 'Microsoft.ImportExport'), 'Registered'], [lower(options.subscriptionId, 'Microsoft.DataBox'), 'Registered'], [lower(options.subscriptionId, 'Microsoft.Storage'), 'Registered']]),
    permissions: new Map(),
    defaultPermissions: [CONTRIBUTOR, BLOB_DATA_CONTRIBUTOR],
    setProvider: (sub, ns, s) => {
      state.providers.set(lower(sub, ns), s);
    },
    setStorageAccount: (sub, rg, name, account) => {
      if (account === undefined) state.storageAccounts.delete(lower(sub, rg, name));
      else state.storageAccounts.set(lower(sub, rg, name), account);
    },
  };

  emulator.addRoutes(({ method, url, authenticate }) => {
    const path = url.pathname.replace(/\/+$/, '');
    const permissions = /^(.*)\/providers\/Microsoft\.Authorization\/permissions$/i.exec(path);
    const sub = /^\/subscriptions\/([^/]+)(\/.*)?$/i.exec(path);
    if (path.toLowerCase() === '/subscriptions' && method === 'GET') {
      authenticate();
      return { status: 200, body: { value: [...state.subscriptions].map(([id, s]) => ({ id: `/subscriptions/${id}`, subscriptionId: id, ...s })) } };
    }
    if (!sub) return undefined;
    const subscriptionId = sub[1]!;
    const rest = sub[2] ?? '';
    const scope = permissions ? permissions[1]! : path;
    const scopeRest = permissions ? (/^\/subscriptions\/[^/]+(\/.*)?$/i.exec(scope)?.[1] ?? '') : rest;
    const rg = /^\/resourceGroups\/([^/]+)(\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+))?$/i.exec(scopeRest);
    const provider = /^\/providers\/([^/]+)(\/register)?$/i.exec(rest);
    // Anything else under the subscription (Import/Export jobs, Data Box jobs) belongs to another emulator.
    if (permissions === null && rest !== '' && provider === null && rg === null) return undefined;
    const caller = authenticate();
    const subscription = state.subscriptions.get(subscriptionId.toLowerCase());
    if (!subscription) return notFound('SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
    if (provider) {
      const key = lower(subscriptionId, provider[1]!);
      if (provider[2] !== undefined) {
        if (method !== 'POST') return undefined;
        state.providers.set(key, 'Registered');
      } else if (method !== 'GET') return undefined;
      return { status: 200, body: { id: `/subscriptions/${subscriptionId}/providers/${provider[1]}`, namespace: provider[1], registrationState: state.providers.get(key) ?? 'NotRegistered', resourceTypes: [] } };
    }
    if (method !== 'GET') return undefined;
    if (rg) {
      const group = state.resourceGroups.get(lower(subscriptionId, rg[1]!));
      if (!group) return notFound('ResourceGroupNotFound', `Resource group '${rg[1]}' could not be found.`);
      if (rg[3] !== undefined) {
        const account = state.storageAccounts.get(lower(subscriptionId, rg[1]!, rg[3]));
        if (!account) return notFound('ResourceNotFound', `The Resource 'Microsoft.Storage/storageAccounts/${rg[3]}' under resource group '${rg[1]}' was not found.`);
        if (!permissions) {
          return {
            status: 200,
            body: {
              id: `/subscriptions/${subscriptionId}/resourceGroups/${rg[1]}/providers/Microsoft.Storage/storageAccounts/${rg[3]}`,
              name: rg[3], type: 'Microsoft.Storage/storageAccounts', kind: account.kind, location: account.location,
              sku: { name: 'Standard_LRS', tier: 'Standard' },
              properties: { provisioningState: 'Succeeded', isNfsV3Enabled: account.isNfsV3Enabled ?? false, primaryEndpoints: {} },
            },
          };
        }
      } else if (!permissions) {
        return { status: 200, body: { id: `/subscriptions/${subscriptionId}/resourceGroups/${rg[1]}`, name: rg[1], location: group.location, properties: { provisioningState: 'Succeeded' } } };
      }
    } else if (permissions && scopeRest !== '') return undefined;
    if (permissions) return { status: 200, body: { value: state.permissions.get(caller.name) ?? state.defaultPermissions } };
    if (rest === '') return { status: 200, body: { id: `/subscriptions/${subscriptionId}`, subscriptionId, displayName: subscription.displayName, state: subscription.state } };
    return undefined;
  });
  return state;
}
