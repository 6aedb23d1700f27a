/**
 * A tiny Microsoft Entra ID stand-in, mounted on the emulator's HTTPS server, so real
 * @azure/identity credentials run their whole flow: ClientSecretCredential or
 * ClientCertificateCredential (or EnvironmentCredential/DefaultAzureCredential fed by AZURE_* variables)
 * with `authorityHost` = the emulator's origin and `disableInstanceDiscovery: true`.
 *
 * Without `disableInstanceDiscovery`, MSAL first asks https://login.microsoftonline.com for instance
 * metadata, which is unreachable here, and fails after ~4 s with `endpoints_resolution_error`
 * (verified with @azure/identity 4.14.1 / msal-node 7.2.1).
 *
 * Routes (tenant = GUID or name):
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration
 *   POST /{tenant}/oauth2/v2.0/token   grant_type=client_credentials, client_secret or client_assertion
 */
import { X509Certificate, createPublicKey, constants as cryptoConstants, verify } from 'node:crypto';
import { audienceForScope, decodeSegment, decodeToken, mintToken } from './jwt.ts';

export interface ServicePrincipal {
  tenantId: string;
  clientId: string;
  /** Accepted secret for client_secret. */
  clientSecret?: string;
  /** PEM certificate whose key signs client assertions (ClientCertificateCredential). */
  certificatePem?: string;
}

export interface IssuedToken {
  clientId: string;
  tenantId: string;
  scope: string;
  audience: string;
  token: string;
}

export interface TokenServiceResponse {
  status: number;
  body: unknown;
}

export interface TokenService {
  principals: ServicePrincipal[];
  issued: IssuedToken[];
  /** Returns a response when the path belongs to the token service, undefined otherwise. */
  handle(method: string, path: string, body: string, origin: string): TokenServiceResponse | undefined;
}

function aadError(status: number, error: string, code: number, description: string): TokenServiceResponse {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
    },
  };
}

/** Verifies an RS256/PS256 client assertion against the principal's certificate. */
function assertionValid(assertion: string, principal: ServicePrincipal, tokenEndpoint: string): boolean {
  if (!principal.certificatePem) return false;
  const parts = assertion.split('.');
  if (parts.length !== 3) return false;
  const header = decodeSegment(parts[0]!);
  const claims = decodeToken(assertion);
  if (!header || !claims) return false;
  if (claims.iss !== principal.clientId || claims.sub !== principal.clientId) return false;
  if (typeof claims.aud !== 'string' || claims.aud.split('?')[0] !== tokenEndpoint) return false;
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return false;
  const key = createPublicKey(new X509Certificate(principal.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  if (header.alg === 'RS256') return verify('sha256', data, key, signature);
  if (header.alg === 'PS256') {
    return verify('sha256', data, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  }
  return false;
}

export function createTokenService(principals: ServicePrincipal[]): TokenService {
  const issued: IssuedToken[] = [];
  const service: TokenService = {
    principals,
    issued,
    handle(method, path, body, origin) {
      const config = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
      if (config && method === 'GET') {
        const tenant = config[1]!;
        return {
          status: 200,
          body: {
            token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
            authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
            jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
            issuer: `${origin}/${tenant}/v2.0`,
            token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
            response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
            scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
            tenant_region_scope: 'EU',
          },
        };
      }
      const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
      if (!token) return undefined;
      if (method !== 'POST') return aadError(405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
      const tenant = token[1]!;
      const form = new URLSearchParams(body);
      const clientId = form.get('client_id') ?? '';
      const scope = form.get('scope') ?? '';
      if (form.get('grant_type') !== 'client_credentials') {
        return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
      }
      const principal = principals.find((p) => p.clientId === clientId && p.tenantId === tenant);
      if (!principal) {
        return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
      }
      const secret = form.get('client_secret');
      const assertion = form.get('client_assertion');
      const authenticated = secret !== null
        ? principal.clientSecret !== undefined && secret === principal.clientSecret
        : assertion !== null && assertionValid(assertion, principal, `${origin}/${tenant}/oauth2/v2.0/token`);
      if (!authenticated) {
        return aadError(401, 'invalid_client', 7000215, 'Invalid client secret or client assertion provided.');
      }
      const scopes = scope.split(' ').filter((s) => s !== '' && !['openid', 'profile', 'offline_access'].includes(s));
      if (scopes.length !== 1) return aadError(400, 'invalid_scope', 70011, `The provided scope '${scope}' is not valid.`);
      const audience = audienceForScope(scopes[0]!);
      const accessToken = mintToken({ audience, tenantId: tenant, clientId });
      issued.push({ clientId, tenantId: tenant, scope: scopes[0]!, audience, token: accessToken });
      return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken } };
    },
  };
  return service;
}
