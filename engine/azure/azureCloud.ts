/**
 * Endpoints of the Azure clouds a user can pick (-Environment), with test overrides: the engine talks
 * to the real SDKs either way, pointed at local emulators by OFFLINESEED_ARM_ENDPOINT and
 * OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE (see test/world/world.ts).
 */
import { OfflineSeedError } from '../protocol/errors.ts';

export type AzureEnvironmentName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export interface AzureCloud {
  name: AzureEnvironmentName;
  armEndpoint: string;
  armScope: string;
  /** https://{account}.blob.<suffix> */
  blobEndpointTemplate: string;
  storageScope: string;
  authorityHost: string;
  /** Microsoft Graph, for registering a certificate on an Entra application. */
  graphEndpoint: string;
  graphScope: string;
}

const CLOUDS: Record<AzureEnvironmentName, Omit<AzureCloud, 'name'>> = {
  AzureCloud: {
    armEndpoint: 'https://management.azure.com',
    armScope: 'https://management.azure.com/.default',
    blobEndpointTemplate: 'https://{account}.blob.core.windows.net',
    storageScope: 'https://storage.azure.com/.default',
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
    graphScope: 'https://graph.microsoft.com/.default',
  },
  AzureUSGovernment: {
    armEndpoint: 'https://management.usgovcloudapi.net',
    armScope: 'https://management.usgovcloudapi.net/.default',
    blobEndpointTemplate: 'https://{account}.blob.core.usgovcloudapi.net',
    storageScope: 'https://storage.azure.com/.default',
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://graph.microsoft.us',
    graphScope: 'https://graph.microsoft.us/.default',
  },
  AzureChinaCloud: {
    armEndpoint: 'https://management.chinacloudapi.cn',
    armScope: 'https://management.chinacloudapi.cn/.default',
    blobEndpointTemplate: 'https://{account}.blob.core.chinacloudapi.cn',
    storageScope: 'https://storage.azure.com/.default',
    authorityHost: 'https://login.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    graphScope: 'https://microsoftgraph.chinacloudapi.cn/.default',
  },
};

export function azureCloud(name: AzureEnvironmentName = 'AzureCloud', env: NodeJS.ProcessEnv = process.env): AzureCloud {
  const cloud = CLOUDS[name];
  if (cloud === undefined) {
    throw new OfflineSeedError('OfflineSeed.InvalidEnvironment', 'InvalidArgument', `params.environment: unknown Azure environment ${name}`, { targetObject: name });
  }
  return {
    name,
    armEndpoint: env.OFFLINESEED_ARM_ENDPOINT ?? cloud.armEndpoint,
    armScope: env.OFFLINESEED_ARM_SCOPE ?? cloud.armScope,
    blobEndpointTemplate: env.OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE ?? cloud.blobEndpointTemplate,
    storageScope: env.OFFLINESEED_STORAGE_SCOPE ?? cloud.storageScope,
    authorityHost: env.AZURE_AUTHORITY_HOST ?? cloud.authorityHost,
    graphEndpoint: env.OFFLINESEED_GRAPH_ENDPOINT ?? cloud.graphEndpoint,
    graphScope: env.OFFLINESEED_GRAPH_SCOPE ?? cloud.graphScope,
  };
}

export function blobEndpoint(cloud: AzureCloud, account: string): string {
  return cloud.blobEndpointTemplate.replace('{account}', account);
}
