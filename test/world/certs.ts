/**
 * A throw-away certificate authority and a server certificate for localhost, 127.0.0.1 and ::1,
 * made at test time with the Debian `openssl` CLI (Node can read X.509 but not issue it).
 * Clients trust the CA: child processes through NODE_EXTRA_CA_CERTS=<caPath>, this process through
 * `trustInThisProcess` or an https.Agent built with `ca`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';

export interface TestCertificates {
  /** PEM of the CA certificate; what NODE_EXTRA_CA_CERTS points at. */
  caPem: string;
  caPath: string;
  /** Server certificate (leaf, signed by the CA) and its private key, PEM. */
  certPem: string;
  certPath: string;
  keyPem: string;
  keyPath: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (is the Debian openssl package installed?): ${stderr || (error as Error).message}`);
  }
}

/** Writes ca.pem, server.pem, server.key into `dir` (which must exist) and returns them. */
export function makeTestCertificates(dir: string): TestCertificates {
  // A CA plus a leaf (rather than one self-signed leaf): that is the shape real TLS stacks expect,
  // and Azurite, Node and OpenSSL all accept it without special flags.
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '7', '-subj', '/CN=OfflineSeed test world CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
  ].join('\n') + '\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', '7', '-extfile', 'server.ext', '-out', 'server.pem'], dir);
  const caPath = join(dir, 'ca.pem');
  const certPath = join(dir, 'server.pem');
  const keyPath = join(dir, 'server.key');
  return {
    caPem: readFileSync(caPath, 'utf8'),
    caPath,
    certPem: readFileSync(certPath, 'utf8'),
    certPath,
    keyPem: readFileSync(keyPath, 'utf8'),
    keyPath,
  };
}

/**
 * Adds the CA to this process's default trust store (Node ≥ 23.8), so every https client in the
 * process (the Azure SDK pipelines, MSAL inside @azure/identity) trusts the test servers without
 * per-client options. Test files run in their own processes, so the change stays inside one file.
 */
export function trustInThisProcess(caPem: string): void {
  const current = tls.getCACertificates('default');
  if (!current.includes(caPem)) tls.setDefaultCACertificates([...current, caPem]);
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
  /** Key and certificate in one PEM, the form ClientCertificateCredential reads. */
  combinedPem: string;
}

/** An RSA certificate for a service principal (ClientCertificateCredential signs its assertions with it). */
export function makeClientCertificate(dir: string, commonName: string): ClientCertificate {
  const base = commonName.replace(/[^A-Za-z0-9-]/g, '_');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '7', '-subj', `/CN=${commonName}`], dir);
  const certPem = readFileSync(join(dir, `${base}.pem`), 'utf8');
  const keyPem = readFileSync(join(dir, `${base}.key`), 'utf8');
  return { certPem, keyPem, combinedPem: `${keyPem}${certPem}` };
}
