/**
 * What talking to Microsoft.DataBox needs besides its SDK: the api-version and where its ARM operations
 * go. Apart from dataBoxClient.ts, so the preflight (plain REST calls) does not load the SDK for them.
 */
export const DATABOX_API_VERSION = '2025-07-01';

/** The cloud's ARM endpoint, or the test world's emulator (OFFLINESEED_DATABOX_ENDPOINT). */
export function dataBoxEndpoint(cloud: { armEndpoint: string }, env: NodeJS.ProcessEnv = process.env): string {
  return env.OFFLINESEED_DATABOX_ENDPOINT ?? cloud.armEndpoint;
}
