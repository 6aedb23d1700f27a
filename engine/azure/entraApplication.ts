/**
 * Registering a certificate on an Entra application through Microsoft Graph v1.0:
 *   GET   /v1.0/applications(appId='{clientId}')?$select=id,appId,displayName,keyCredentials
 *   PATCH /v1.0/applications/{id}  {"keyCredentials": [...the existing ones, the new one]}
 * (PATCH replaces the whole list, so the existing keys go back in unchanged; addKey would need a
 * proof signed by a key the application already has, which a first certificate cannot give.)
 * The caller needs Application.ReadWrite.All, or to own the application; without that Graph answers
 * 403 and the caller gets the exact command an administrator can run instead.
 */
import type { TokenCredential } from '@azure/identity';
import { createRestClient, errorOf } from './restClient.ts';

export interface RegistrationOutcome {
  registered: boolean;
  /** Why not (Graph's answer, or the token failure). */
  reason?: string;
  applicationName?: string;
}

export interface NewKey {
  clientId: string;
  certificateDer: Buffer;
  thumbprint: string;
  displayName: string;
  notBefore: Date;
  notAfter: Date;
}

export async function registerCertificate(endpoint: string, scope: string, credential: TokenCredential, key: NewKey, signal: AbortSignal): Promise<RegistrationOutcome> {
  const client = createRestClient(endpoint, credential, scope, { maxRetries: 1 });
  let answer;
  try {
    answer = await client.request('GET', `/v1.0/applications(appId='${encodeURIComponent(key.clientId)}')?$select=id,appId,displayName,keyCredentials`, undefined, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    return { registered: false, reason: `no answer from Microsoft Graph or no token for it: ${String((error as Error).message ?? error).replace(/\s+/g, ' ').slice(0, 300)}` };
  }
  if (answer.status !== 200) {
    const e = errorOf(answer);
    return { registered: false, reason: `Microsoft Graph answered ${answer.status} ${e.code}${e.message !== '' ? `: ${e.message}` : ''} when reading application ${key.clientId}` };
  }
  const app = answer.body!;
  const existing = Array.isArray(app['keyCredentials']) ? (app['keyCredentials'] as Record<string, unknown>[]) : [];
  const applicationName = typeof app['displayName'] === 'string' ? app['displayName'] : key.clientId;
  if (existing.some((k) => typeof k['customKeyIdentifier'] === 'string' && (k['customKeyIdentifier'] as string).toUpperCase() === key.thumbprint)) {
    return { registered: true, applicationName };
  }
  const added = {
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    key: key.certificateDer.toString('base64'),
    displayName: key.displayName,
    startDateTime: key.notBefore.toISOString(),
    endDateTime: key.notAfter.toISOString(),
  };
  const patch = await client.request('PATCH', `/v1.0/applications/${encodeURIComponent(String(app['id']))}`, { keyCredentials: [...existing, added] }, signal);
  if (patch.status !== 204 && patch.status !== 200) {
    const e = errorOf(patch);
    return { registered: false, applicationName, reason: `Microsoft Graph answered ${patch.status} ${e.code}${e.message !== '' ? `: ${e.message}` : ''} when adding the certificate to ${applicationName}` };
  }
  return { registered: true, applicationName };
}

/** What an administrator runs instead (Azure CLI, or Az PowerShell), both appending, not replacing. */
export function registrationCommands(clientId: string, publicCertificatePath: string): string[] {
  const ps = publicCertificatePath.replace(/'/g, "''");
  return [
    `az ad app credential reset --id ${clientId} --cert "@${publicCertificatePath}" --append`,
    `New-AzADAppCredential -ApplicationId ${clientId} -CertValue ([Convert]::ToBase64String([IO.File]::ReadAllBytes('${ps}')))`,
  ];
}
