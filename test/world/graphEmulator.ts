/**
 * A sliver of Microsoft Graph v1.0 next to the token service (same origin, addRoutes hook): the
 * application calls New-OfflineSeedCredential makes to register a certificate.
 *   GET   /v1.0/applications(appId='{appId}')   ?$select=… is accepted and ignored (keys included)
 *   GET   /v1.0/applications/{id}
 *   PATCH /v1.0/applications/{id}               {"keyCredentials":[…]} replaces the list → 204
 * Bearer tokens must be JWT-shaped with aud https://graph.microsoft.com and unexpired (401
 * InvalidAuthenticationToken). Writing needs the caller's appid (or upn) in `writers` (the owners
 * and Application Administrators): otherwise 403 Authorization_RequestDenied, as Graph answers.
 * A registered AsymmetricX509Cert becomes the certificate the token service checks client
 * assertions against, so the new identity can sign in with it at once.
 */
import { X509Certificate, randomUUID } from 'node:crypto';
import type { ImportExportEmulator } from './importExportEmulator.ts';
import { decodeToken } from './jwt.ts';

export interface KeyCredential {
  keyId: string;
  type: string;
  usage: string;
  key: string;
  displayName: string;
  customKeyIdentifier: string;
  startDateTime: string;
  endDateTime: string;
}

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  keyCredentials: KeyCredential[];
}

export interface GraphEmulator {
  applications: Map<string, GraphApplication>;
  /** appids or upns allowed to change applications. */
  writers: Set<string>;
  /** Adds an application (and its service principal in the token service, with no credential yet). */
  addApplication(displayName: string, appId?: string): GraphApplication;
  requests: { method: string; path: string; status: number }[];
}

export const GRAPH_AUDIENCES = ['https://graph.microsoft.com', 'https://graph.microsoft.com/'];

function graphError(status: number, code: string, message: string): { status: number; body: unknown } {
  return { status, body: { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID() } } } };
}

export function attachGraph(emulator: ImportExportEmulator, options: { tenantId: string; writers: string[] }): GraphEmulator {
  const state: GraphEmulator = {
    applications: new Map(),
    writers: new Set(options.writers),
    requests: [],
    addApplication: (displayName, appId = randomUUID()) => {
      const app: GraphApplication = { id: randomUUID(), appId, displayName, keyCredentials: [] };
      state.applications.set(appId, app);
      if (!emulator.tokenService.principals.some((p) => p.clientId === appId)) emulator.tokenService.principals.push({ tenantId: options.tenantId, clientId: appId });
      return app;
    },
  };
  const wire = (app: GraphApplication): unknown => ({ id: app.id, appId: app.appId, displayName: app.displayName, keyCredentials: app.keyCredentials });

  emulator.addRoutes(({ method, url, body, headers }) => {
    const byAppId = /^\/v1\.0\/applications\(appId='([^']+)'\)$/.exec(decodeURIComponent(url.pathname));
    const byId = /^\/v1\.0\/applications\/([^/]+)$/.exec(url.pathname);
    if (!byAppId && !byId) return undefined;
    const answer = ((): { status: number; body: unknown } => {
      const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
      const claims = m ? decodeToken(m[1]!) : undefined;
      if (!claims || typeof claims.aud !== 'string' || !GRAPH_AUDIENCES.includes(claims.aud) || typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
        return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
      }
      const caller = typeof claims.upn === 'string' ? claims.upn : typeof claims.appid === 'string' ? claims.appid : '';
      const app = byAppId ? state.applications.get(byAppId[1]!) : [...state.applications.values()].find((a) => a.id === byId![1]);
      if (!app) return graphError(404, 'Request_ResourceNotFound', `Resource '${byAppId?.[1] ?? byId![1]}' does not exist or one of its queried reference-property objects are not present.`);
      if (method === 'GET') return { status: 200, body: wire(app) };
      if (method !== 'PATCH' || !byId) return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
      if (!state.writers.has(caller)) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      let patch: { keyCredentials?: Partial<KeyCredential>[] };
      try {
        patch = JSON.parse(body) as typeof patch;
      } catch {
        return graphError(400, 'Request_BadRequest', 'Invalid JSON.');
      }
      if (!Array.isArray(patch.keyCredentials)) return graphError(400, 'Request_BadRequest', 'Only keyCredentials can be changed here.');
      const next: KeyCredential[] = [];
      for (const k of patch.keyCredentials) {
        if (k.type !== 'AsymmetricX509Cert' || k.usage !== 'Verify' || typeof k.key !== 'string') return graphError(400, 'KeyCredentialsInvalidType', 'Key credential type or usage is invalid.');
        let cert: X509Certificate;
        try {
          cert = new X509Certificate(Buffer.from(k.key, 'base64'));
        } catch {
          return graphError(400, 'InvalidKeyValue', 'Key credential key is not a valid certificate.');
        }
        next.push({
          keyId: k.keyId ?? randomUUID(), type: k.type, usage: k.usage, key: k.key, displayName: k.displayName ?? cert.subject,
          customKeyIdentifier: cert.fingerprint.replace(/:/g, ''), startDateTime: k.startDateTime ?? new Date(cert.validFrom).toISOString(), endDateTime: k.endDateTime ?? new Date(cert.validTo).toISOString(),
        });
      }
      const added = next.filter((k) => !app.keyCredentials.some((old) => old.customKeyIdentifier === k.customKeyIdentifier));
      app.keyCredentials = next;
      const principal = emulator.tokenService.principals.find((p) => p.clientId === app.appId);
      for (const k of added) {
        const pem = `-----BEGIN CERTIFICATE-----\n${k.key.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
        if (principal) principal.certificatePem = pem;
        else emulator.tokenService.principals.push({ tenantId: options.tenantId, clientId: app.appId, certificatePem: pem });
      }
      return { status: 204, body: undefined };
    })();
    state.requests.push({ method, path: url.pathname, status: answer.status });
    return answer;
  });
  return state;
}
