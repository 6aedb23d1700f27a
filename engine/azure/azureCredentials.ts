/**
 * Who the engine is to Azure. DefaultAzureCredential by default (environment variables, managed identity
 * in runbooks, Azure CLI, Azure PowerShell); a service principal with a secret or a certificate; or an
 * access token handed over by the PowerShell module (Get-AzAccessToken). For storage, also an account
 * key or a SAS. Secrets arrive in the request only and are never logged.
 */
import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { OfflineSeedError } from '../protocol/errors.ts';
import { registerSecret } from '../protocol/secretRedactor.ts';
import type { AzureCloud, AzureEnvironmentName } from './azureCloud.ts';
import { applyCredentialProfile } from './credentialProfile.ts';

export interface AzureAuthParams {
  environment?: AzureEnvironmentName;
  /** A credential profile saved by New-OfflineSeedCredential (tenant, client id, certificate). */
  credentialProfile?: string;
  profilePath?: string;
  /** A client assertion signed by the PowerShell module with a certificate-store key (Windows). */
  clientAssertion?: string;
  /** A bearer token for Microsoft Graph (Get-AzAccessToken -ResourceTypeName MSGraph). */
  graphAccessToken?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificatePath?: string;
  /** A bearer token for ARM (from Get-AzAccessToken -ResourceUrl https://management.azure.com). */
  accessToken?: string;
  /** A bearer token for storage (Get-AzAccessToken -ResourceTypeName Storage). */
  storageAccessToken?: string;
}

/** A fixed token, as handed over by PowerShell; its expiry is unknown, so it is assumed good for an hour. */
class StaticTokenCredential implements TokenCredential {
  private readonly token: string;
  constructor(token: string) {
    this.token = token;
  }
  async getToken(): Promise<{ token: string; expiresOnTimestamp: number }> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 60 * 60_000 };
  }
}

export function tokenCredential(request: AzureAuthParams, cloud: AzureCloud, purpose: 'arm' | 'storage' | 'graph'): TokenCredential {
  const params = applyCredentialProfile(request);
  const handed = purpose === 'arm' ? params.accessToken : purpose === 'storage' ? params.storageAccessToken : params.graphAccessToken;
  if (handed !== undefined) {
    registerSecret(handed);
    return new StaticTokenCredential(handed);
  }
  const common = {
    authorityHost: cloud.authorityHost,
    ...(process.env.OFFLINESEED_DISABLE_INSTANCE_DISCOVERY === '1' ? { disableInstanceDiscovery: true } : {}),
  };
  if (params.clientSecret !== undefined || params.clientCertificatePath !== undefined || params.clientAssertion !== undefined) {
    if (params.tenantId === undefined || params.clientId === undefined) {
      throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', 'params.tenantId and params.clientId are required with a client secret or certificate', { targetObject: 'params.clientId' });
    }
    if (params.clientAssertion !== undefined) {
      const assertion = params.clientAssertion;
      registerSecret(assertion);
      return new ClientAssertionCredential(params.tenantId, params.clientId, async () => assertion, common);
    }
    if (params.clientSecret !== undefined) {
      registerSecret(params.clientSecret);
      return new ClientSecretCredential(params.tenantId, params.clientId, params.clientSecret, common);
    }
    return new ClientCertificateCredential(params.tenantId, params.clientId, { certificatePath: params.clientCertificatePath! }, common);
  }
  return new DefaultAzureCredential({ ...common, ...(params.tenantId === undefined ? {} : { tenantId: params.tenantId }) });
}
