/**
 * The Microsoft.ImportExport control plane through @azure/arm-storageimportexport 2.1.0, pointed at the
 * cloud the user chose (or at OFFLINESEED_ARM_ENDPOINT), and the one place its failures become
 * OfflineSeedErrors:
 *   - a service refusal keeps the service's own code and message: errorId OfflineSeed.ImportExport<code>,
 *     category by HTTP status (400 InvalidArgument, 401 AuthenticationError, 403 PermissionDenied,
 *     404 ObjectNotFound, 409 InvalidOperation, 429 ResourceBusy, 5xx ResourceUnavailable);
 *   - a credential that cannot get a token is OfflineSeed.AzureAuthenticationFailed (AuthenticationError)
 *     with the identity library's explanation (never the secret: it is registered for redaction);
 *   - no answer at all is OfflineSeed.ImportExportUnavailable (ConnectionError).
 * SDK quirks (reference §2.3): jobName comes before resourceGroupName; DELETE succeeds only with 200.
 */
import { isIdentityError, noTokenError } from '../azure/identityErrors.ts';
import { StorageImportExport } from '@azure/arm-storageimportexport';
import { azureCloud } from '../azure/azureCloud.ts';
import { applyCredentialProfile } from '../azure/credentialProfile.ts';
import { tokenCredential, type AzureAuthParams } from '../azure/azureCredentials.ts';
import { retryDelayMs } from '../azure/retryDelay.ts';
import { CancelledError, type ErrorCategory, OfflineSeedError } from '../protocol/errors.ts';

export type ArmAccessParams = AzureAuthParams;

export function importExportClient(params: ArmAccessParams, subscriptionId: string): StorageImportExport {
  const cloud = azureCloud(applyCredentialProfile(params).environment);
  const credential = tokenCredential(params, cloud, 'arm');
  return new StorageImportExport(credential, subscriptionId, {
    endpoint: cloud.armEndpoint,
    credentialScopes: [cloud.armScope],
    retryOptions: { maxRetries: 3, retryDelayInMs: retryDelayMs(), maxRetryDelayInMs: 8000 },
    userAgentOptions: { userAgentPrefix: 'offlineseed' },
  });
}

interface ServiceError {
  statusCode?: number;
  code?: string;
  message: string;
  target?: string;
  details: { code?: string; target?: string; message?: string }[];
}

/** The parts of a RestError (any copy of core-rest-pipeline) that matter; undefined if it is not one. */
function serviceError(error: unknown): ServiceError | undefined {
  if (typeof error !== 'object' || error === null || (error as { name?: string }).name !== 'RestError') return undefined;
  const e = error as { statusCode?: number; code?: string; message?: string; details?: unknown };
  let body = e.details as Record<string, unknown> | undefined;
  if (body !== undefined && typeof body === 'object' && body !== null && typeof body['error'] === 'object') body = body['error'] as Record<string, unknown>;
  const details = Array.isArray(body?.['details']) ? (body!['details'] as ServiceError['details']) : [];
  const code = typeof body?.['code'] === 'string' ? (body['code'] as string) : e.code;
  const message = typeof body?.['message'] === 'string' ? (body['message'] as string) : (e.message ?? '');
  return {
    ...(e.statusCode === undefined ? {} : { statusCode: e.statusCode }),
    ...(code === undefined ? {} : { code }),
    message,
    ...(typeof body?.['target'] === 'string' ? { target: body['target'] as string } : {}),
    details,
  };
}

export function categoryForStatus(status: number | undefined): ErrorCategory {
  if (status === undefined) return 'ConnectionError';
  if (status === 400 || status === 415) return 'InvalidArgument';
  if (status === 401) return 'AuthenticationError';
  if (status === 403) return 'PermissionDenied';
  if (status === 404) return 'ObjectNotFound';
  if (status === 409 || status === 412) return 'InvalidOperation';
  if (status === 413) return 'LimitsExceeded';
  if (status === 429) return 'ResourceBusy';
  if (status >= 500) return 'ResourceUnavailable';
  return 'NotSpecified';
}

/** Advice by service error code; a call site can add or override its own. */
const DEFAULT_ADVICE: Record<string, string> = {
  AuthenticationFailed: 'Sign in again, or give a valid credential (service principal, certificate or -AccessToken from Get-AzAccessToken).',
  InvalidAuthenticationToken: 'The access token is not valid: get a new one with Get-AzAccessToken (ARM audience https://management.azure.com).',
  ExpiredAuthenticationToken: 'The access token expired: get a new one with Get-AzAccessToken.',
  InvalidAuthenticationTokenAudience: 'The access token is for another service: use Get-AzAccessToken -ResourceUrl https://management.azure.com (not a storage token).',
  AuthorizationFailed: 'The identity needs the Contributor role (Microsoft.ImportExport/jobs/*) on the resource group.',
  TrackingNumberInUse: 'Every import job needs its own package and tracking number: check the number on the label, or ship this job\'s drives in a separate package.',
  StorageAccountNotFound: 'Check the seed\'s storage account and -StorageAccountId: the job must target an existing storage account.',
  InvalidJobName: 'Use 2 to 64 lowercase letters, digits and hyphens, starting with a letter.',
  ResourceNotFound: 'Check the job name, resource group and subscription. The service deletes a job left in Creating 14 days after its last update, and a finished job 90 days after it ended.',
  InvalidLocation: 'Give an Import/Export location (Get-AzImportExportLocation lists them), normally the storage account\'s region.',
};

/** The service a call went to: the prefix of its error ids and its name in messages. */
export interface ArmService {
  idPrefix: string;
  displayName: string;
}

export const IMPORT_EXPORT_SERVICE: ArmService = { idPrefix: 'ImportExport', displayName: 'Azure Import/Export' };

/** A throttled or failing service, still failing after the client's retries: nothing to fix but time. */
function transientAdvice(status: number, service: ArmService): string | undefined {
  if (status !== 429 && status < 500) return undefined;
  return `${service.displayName} is busy or unavailable right now and still was after several retries: run the same command again in a few minutes (or check Azure status).`;
}

/**
 * Runs one SDK call, translating its failure. `what` says what was attempted ("create import job x"),
 * `advice` maps service codes to a recommended action.
 */
export async function armCall<T>(what: string, target: string, fn: () => Promise<T>, advice: Record<string, string> = {}, service: ArmService = IMPORT_EXPORT_SERVICE): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateArmError(error, what, target, advice, service);
  }
}

export function translateArmError(error: unknown, what: string, target: string, advice: Record<string, string> = {}, service: ArmService = IMPORT_EXPORT_SERVICE): OfflineSeedError {
  if (error instanceof OfflineSeedError) return error;
  const name = (error as { name?: string } | null)?.name ?? '';
  if (name === 'AbortError') return new CancelledError();
  if (isIdentityError(error)) return noTokenError(error as Error, what, target, 'Azure Resource Manager');
  const refusal = serviceError(error);
  if (refusal !== undefined && refusal.statusCode !== undefined && refusal.code !== undefined && refusal.code !== 'REQUEST_SEND_ERROR') {
    const extra = refusal.details
      .filter((d) => d.message !== undefined && d.message !== refusal.message)
      .map((d) => (d.target ? `${d.target}: ${d.message}` : d.message))
      .slice(0, 10);
    const message = `${what}: ${service.displayName} answered ${refusal.statusCode} ${refusal.code}: ${refusal.message}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
    const action = advice[refusal.code] ?? DEFAULT_ADVICE[refusal.code] ?? transientAdvice(refusal.statusCode, service);
    return new OfflineSeedError(`OfflineSeed.${service.idPrefix}${refusal.code.replace(/[^A-Za-z]/g, '')}`, categoryForStatus(refusal.statusCode), message, {
      targetObject: refusal.target !== undefined && refusal.target !== '' ? `${target} (${refusal.target})` : target,
      ...(action === undefined ? {} : { recommendedAction: action }),
      cause: error,
    });
  }
  const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (refusal !== undefined || (error as NodeJS.ErrnoException | null)?.code !== undefined) {
    return new OfflineSeedError(`OfflineSeed.${service.idPrefix}Unavailable`, 'ConnectionError', `${what}: Azure Resource Manager did not answer: ${text}`, {
      targetObject: target,
      recommendedAction: 'Check the network connection (and proxy) to Azure Resource Manager, then run the same command again.',
      cause: error,
    });
  }
  throw error;
}

/** True for the 404 of a job that does not exist. */
export function isNotFound(error: unknown): boolean {
  return serviceError(error)?.statusCode === 404;
}
