/**
 * JWT-shaped access tokens for the test world. They are signed with a throw-away HMAC key only so
 * they look like tokens; nobody verifies signatures: the emulator checks the audience and expiry
 * (as a resource server that trusts its issuer would), Azurite's `--oauth basic` checks issuer,
 * audience and lifetime, not the signature.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  iat: number;
  nbf: number;
  exp: number;
  /** Application (client) id for service principals; absent for user tokens. */
  appid?: string;
  /** Present on user tokens. */
  upn?: string;
  oid: string;
  sub: string;
  scp?: string;
  [claim: string]: unknown;
}

const signingKey = randomBytes(32);

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

/** The issuer Entra ID v1 tokens carry; Azurite accepts only issuers starting https://sts.windows.net/ (and a few others). */
export function issuerFor(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** Audience of a token requested for `scope` (e.g. https://management.azure.com/.default → https://management.azure.com/). */
export function audienceForScope(scope: string): string {
  return scope.replace(/\/?\.default$/, '').replace(/\/user_impersonation$/, '');
}

export interface MintOptions {
  audience: string;
  tenantId: string;
  clientId?: string;
  userPrincipalName?: string;
  /** Lifetime in seconds (default one hour), measured on the real clock: token caches use real time. */
  lifetimeSeconds?: number;
  extraClaims?: Record<string, unknown>;
}

export function mintToken(options: MintOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const oid = randomUUID();
  const claims: TokenClaims = {
    aud: options.audience,
    iss: issuerFor(options.tenantId),
    tid: options.tenantId,
    iat: now - 5,
    nbf: now - 5,
    exp: now + (options.lifetimeSeconds ?? 3600),
    oid,
    sub: oid,
    ...(options.clientId !== undefined ? { appid: options.clientId, azp: options.clientId } : {}),
    ...(options.userPrincipalName !== undefined ? { upn: options.userPrincipalName, scp: 'user_impersonation' } : {}),
    ...options.extraClaims,
  };
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'offlineseed-test-world' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', signingKey).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** Decodes one base64url JSON segment of a JWT; undefined when it is not a JSON object. */
export function decodeSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes the payload of a JWT-shaped string; undefined when it is not one. */
export function decodeToken(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]*$/.test(parts[2]!)) return undefined;
  return decodeSegment(parts[0]!) && decodeSegment(parts[1]!);
}
