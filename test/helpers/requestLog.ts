/**
 * A logging HTTPS relay in front of Azurite: the engine is pointed at it (its storage endpoint
 * template), it forwards every request unchanged and records method and URL, so a test can count the
 * requests a run made (e.g. how many listed data/). Serves the world's test certificate.
 */
import { createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from '../world/certs.ts';

export interface LoggedRequest {
  method: string;
  /** Path and query, percent-decoded. */
  url: string;
}

export interface RequestLog {
  /** Template for OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE: <origin>/{account}. */
  endpointTemplate: string;
  requests: LoggedRequest[];
  stop(): Promise<void>;
}

export async function startRequestLog(upstreamOrigin: string, certificates: TestCertificates): Promise<RequestLog> {
  const upstream = new URL(upstreamOrigin);
  const requests: LoggedRequest[] = [];
  const server = createServer({ cert: certificates.certPem, key: certificates.keyPem }, (incoming, outgoing) => {
    requests.push({ method: incoming.method ?? '', url: decodeURIComponent(incoming.url ?? '') });
    const relayed = httpsRequest({
      hostname: upstream.hostname,
      port: upstream.port,
      path: incoming.url,
      method: incoming.method,
      headers: { ...incoming.headers, host: upstream.host },
      ca: certificates.caPem,
    }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    relayed.on('error', () => outgoing.destroy());
    incoming.pipe(relayed);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpointTemplate: `https://127.0.0.1:${port}/{account}`,
    requests,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Requests that list blobs under `folder` of the repository at `prefix` (e.g. "host01", "data"). */
export function listingsOf(requests: readonly LoggedRequest[], prefix: string, folder: string): LoggedRequest[] {
  return requests.filter((r) => r.method === 'GET' && r.url.includes('comp=list') && r.url.includes(`prefix=${prefix}/${folder}/`));
}
