/**
 * A self-signed X.509 v3 certificate for an application identity (client authentication), made in
 * process: Node reads certificates but cannot issue them, and the engine must not depend on an
 * openssl binary. The DER is written by hand (RFC 5280): RSA 2048/3072 key, sha256WithRSAEncryption,
 * CN subject = issuer, basicConstraints CA:FALSE, keyUsage digitalSignature, extendedKeyUsage
 * clientAuth, subjectKeyIdentifier. Entra ID needs nothing more for a certificate credential.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...c: Buffer[]): Buffer => tlv(0x30, ...c);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    let v = p;
    do {
      chunk.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
  const trimmed = bytes[0] === 0 ? bytes.subarray(1) : bytes;
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
  // UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function name(commonName: string): Buffer {
  return sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

export interface SelfSignedCertificate {
  /** The certificate alone (public: may be shown, uploaded, registered). */
  certificatePem: string;
  certificateDer: Buffer;
  /** PKCS#8 private key (a secret). */
  privateKeyPem: string;
  /** SHA-1 of the DER, uppercase hex: what Windows and Entra ID call the thumbprint. */
  thumbprint: string;
  notBefore: Date;
  notAfter: Date;
}

export function createSelfSignedCertificate(options: { commonName: string; validityDays: number; keyBits?: 2048 | 3072 | 4096; now?: Date }): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.keyBits ?? 2048 });
  return certificateFor(privateKey, publicKey, options);
}

export function certificateFor(privateKey: KeyObject, publicKey: KeyObject, options: { commonName: string; validityDays: number; now?: Date }): SelfSignedCertificate {
  const now = options.now ?? new Date();
  // Backdated a little: clocks differ, and a certificate "not yet valid" is refused.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 10 * 60_000);
  const notAfter = new Date(notBefore.getTime() + options.validityDays * 86_400_000);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();
  const subject = name(options.commonName);
  const extensions = sequence(
    sequence(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, sequence())),
    sequence(oid('2.5.29.15'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, tlv(0x03, Buffer.from([0x07, 0x80])))),
    sequence(oid('2.5.29.37'), tlv(0x04, sequence(oid('1.3.6.1.5.5.7.3.2')))),
    sequence(oid('2.5.29.14'), tlv(0x04, tlv(0x04, keyId))),
  );
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    positiveInteger(randomBytes(16)),
    SHA256_WITH_RSA,
    subject,
    sequence(time(notBefore), time(notAfter)),
    subject,
    spki,
    tlv(0xa3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    certificatePem: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`,
    certificateDer: der,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    notBefore,
    notAfter,
  };
}
