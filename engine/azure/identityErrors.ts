/**
 * @azure/identity's errors, known by name (this file does not load the SDK): no token could be had, so
 * no request reached the service. One error for it, whichever service the token was for.
 */
import { OfflineSeedError } from '../protocol/errors.ts';

const IDENTITY_ERROR_NAMES = new Set(['AuthenticationError', 'CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

export function isIdentityError(error: unknown): boolean {
  return error instanceof Error && IDENTITY_ERROR_NAMES.has(error.name);
}

/** `service`: what the token was for, as the message names it ("Azure Resource Manager", "Azure Storage"). */
export function noTokenError(error: Error, what: string, target: string, service: string): OfflineSeedError {
  const text = String(error.message).replace(/\s+/g, ' ').slice(0, 600);
  return new OfflineSeedError('OfflineSeed.AzureAuthenticationFailed', 'AuthenticationError', `${what}: no access token for ${service}: ${text}`, {
    targetObject: target,
    recommendedAction: 'Check the credential: the tenant id, client id and client secret or certificate of the service principal, or the environment variables, managed identity or Azure CLI / Azure PowerShell sign-in that DefaultAzureCredential uses.',
    cause: error,
  });
}
