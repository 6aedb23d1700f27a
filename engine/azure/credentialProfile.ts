/**
 * -CredentialProfile <name>: the application identity New-OfflineSeedCredential saved (tenant, client
 * id, certificate), looked up in the user's profile, then the machine's (or only in profilePath), and
 * turned into the request's own fields. Fields given in the request win. A profile whose key lives in
 * the Windows certificate store needs the PowerShell module, which signs the client assertion with it
 * (clientAssertion) without ever exporting the key.
 */
import { readProfilesSync, type CredentialProfile } from '../importjob/profile.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { AzureAuthParams } from './azureCredentials.ts';

export const CREDENTIAL_PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function findCredentialProfile(name: string, profilePath?: string): { profile: CredentialProfile; source: string } {
  const view = readProfilesSync(profilePath);
  const profile = view.credentials[name];
  if (profile === undefined) {
    const known = Object.keys(view.credentials);
    throw new OfflineSeedError('OfflineSeed.CredentialProfileNotFound', 'ObjectNotFound', `params.credentialProfile: no credential profile "${name}" in ${view.paths.join(' or ')}${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`, {
      targetObject: name,
      recommendedAction: 'Create it with New-OfflineSeedCredential -Name <name> -TenantId <tenant> -ApplicationId <client id>, or give the name of an existing one.',
    });
  }
  return { profile, source: view.sources.credentials[name]! };
}

export function applyCredentialProfile<P extends AzureAuthParams>(params: P): P {
  if (params.credentialProfile === undefined) return params;
  const { profile, source } = findCredentialProfile(params.credentialProfile, params.profilePath);
  if (profile.certificatePath === undefined && params.clientAssertion === undefined) {
    throw new OfflineSeedError('OfflineSeed.CredentialProfileNeedsModule', 'InvalidOperation', `credential profile "${params.credentialProfile}" (${source}) keeps its key in the Windows certificate store (${profile.certificateStore ?? 'CurrentUser\\My'}, thumbprint ${profile.certificateThumbprint}), which only the PowerShell module can sign with`, {
      targetObject: params.credentialProfile,
      recommendedAction: 'Use it through the OfflineSeed PowerShell module (-CredentialProfile), which signs the sign-in with the store\'s key without exporting it.',
    });
  }
  return {
    ...params,
    tenantId: params.tenantId ?? profile.tenantId,
    clientId: params.clientId ?? profile.clientId,
    ...(params.clientAssertion === undefined && profile.certificatePath !== undefined && params.clientCertificatePath === undefined ? { clientCertificatePath: profile.certificatePath } : {}),
    ...(params.environment === undefined && profile.environment !== undefined ? { environment: profile.environment } : {}),
  };
}
