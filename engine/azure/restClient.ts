/**
 * Plain authenticated JSON calls to Azure Resource Manager and Microsoft Graph, for the few reads and
 * writes no SDK in our dependencies covers (subscriptions, resource groups, storage accounts,
 * providers, permissions, Entra applications). The same pipeline as the SDKs: @azure/core-rest-pipeline
 * with its retry policy and the bearer-token policy fed by our TokenCredential.
 * A refusal comes back as a RestAnswer (status + body) for the caller to judge; only the absence of
 * an answer (DNS, connection refused, TLS) throws.
 */
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';

export interface RestAnswer {
  status: number;
  body: Record<string, unknown> | undefined;
}

export interface RestClient {
  request(method: 'GET' | 'PATCH' | 'POST' | 'PUT', url: string, body?: unknown, signal?: AbortSignal): Promise<RestAnswer>;
}

export function createRestClient(endpoint: string, credential: TokenCredential | undefined, scope: string, options: { maxRetries?: number } = {}): RestClient {
  const pipeline: Pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: options.maxRetries ?? 2, retryDelayInMs: 300, maxRetryDelayInMs: 3000 },
    userAgentOptions: { userAgentPrefix: 'offlineseed' },
  });
  if (credential !== undefined) pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: scope }));
  const client: HttpClient = createDefaultHttpClient();
  const base = endpoint.replace(/\/+$/, '');
  return {
    async request(method, path, body, signal) {
      const request = createPipelineRequest({
        url: /^https?:/.test(path) ? path : `${base}${path}`,
        method,
        headers: createHttpHeaders({ accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal === undefined ? {} : { abortSignal: signal }),
        timeout: 30_000,
      });
      const response = await pipeline.sendRequest(client, request);
      let parsed: Record<string, unknown> | undefined;
      if (response.bodyAsText !== undefined && response.bodyAsText !== null && response.bodyAsText !== '') {
        try {
          const value: unknown = JSON.parse(response.bodyAsText);
          if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
        } catch {
          parsed = undefined;
        }
      }
      return { status: response.status, body: parsed };
    },
  };
}

/** The error code and message of an ARM or Graph error body ({error:{code,message}}). */
export function errorOf(answer: RestAnswer): { code: string; message: string } {
  const e = answer.body?.['error'] as { code?: unknown; message?: unknown } | undefined;
  return { code: typeof e?.code === 'string' ? e.code : `HTTP${answer.status}`, message: typeof e?.message === 'string' ? e.message : '' };
}
