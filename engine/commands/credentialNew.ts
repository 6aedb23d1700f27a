/**
 * credential.new (New-OfflineSeedCredential): an identity for unattended runs that is not a person.
 *
 *   1. a certificate: elsewhere than Windows made here (RSA 2048, self-signed) and written with its
 *      key as a PEM readable by its owner only; on Windows the module makes it in the certificate
 *      store with a non-exportable key and passes only the public certificate and thumbprint;
 *   2. the public certificate (.cer, DER) next to it, to upload;
 *   3. registered on the Entra application through Microsoft Graph when the caller may, else the
 *      exact command an administrator runs (az / Az PowerShell);
 *   4. a credential profile (tenant, client id, thumbprint, PEM path or store, subscription) saved in
 *      the user's or machine's profile, for -CredentialProfile on every Azure command.
 * No secret is written anywhere but the owner-only PEM (and the profile holds none).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { azureCloud, type AzureEnvironmentName } from '../azure/azureCloud.ts';
import { tokenCredential, type AzureAuthParams } from '../azure/azureCredentials.ts';
import { registerCertificate, registrationCommands, type RegistrationOutcome } from '../azure/entraApplication.ts';
import { createSelfSignedCertificate } from '../azure/selfSignedCertificate.ts';
import { writePrivateFile } from '../drive/bitLocker.ts';
import { defaultProfilePath, readProfile, writeProfile, type CredentialProfile, type ProfileScope } from '../importjob/profile.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { registerSecret } from '../protocol/secretRedactor.ts';
import type { CommandContext } from './command.ts';

interface CredentialNewParams extends AzureAuthParams {
  name: string;
  tenantId: string;
  applicationId: string;
  subscriptionId?: string;
  environment?: AzureEnvironmentName;
  validityDays?: number;
  subject?: string;
  certificateOutputPath?: string;
  /** Windows: the certificate the module made in the store (public part only). */
  storeCertificate?: { certificate: string; store: 'CurrentUser\\My' | 'LocalMachine\\My' };
  register?: boolean;
  scope?: ProfileScope;
  force?: boolean;
}

/** The public certificate: not a secret, but written like everything else (temp, fsync, rename). */
async function writePublicFile(path: string, data: Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const fh = await fs.open(temp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(temp, path);
}

export async function run(params: CredentialNewParams, context: CommandContext): Promise<void> {
  const { events } = context;
  const scope = params.scope ?? 'User';
  const profilePath = resolve(params.profilePath ?? defaultProfilePath(process.env, process.platform, scope));
  const current = await readProfile(profilePath);
  if (current?.credentials?.[params.name] !== undefined && params.force !== true) {
    throw new OfflineSeedError('OfflineSeed.CredentialProfileExists', 'ResourceExists', `params.name: the credential profile "${params.name}" exists in ${profilePath}`, {
      targetObject: params.name,
      recommendedAction: 'Choose another -Name, or add -Force to replace it (the old certificate stays registered until you remove it from the application).',
    });
  }

  // 1. The certificate.
  let der: Buffer;
  let certificatePath: string | undefined;
  let notBefore: Date;
  let notAfter: Date;
  let thumbprint: string;
  const subject = params.subject ?? `OfflineSeed ${params.name} ${hostname()}`;
  if (params.storeCertificate !== undefined) {
    const x509 = new X509Certificate(Buffer.from(params.storeCertificate.certificate, 'base64'));
    der = x509.raw;
    notBefore = new Date(x509.validFrom);
    notAfter = new Date(x509.validTo);
    thumbprint = createHash('sha1').update(der).digest('hex').toUpperCase();
  } else {
    const made = createSelfSignedCertificate({ commonName: subject, validityDays: params.validityDays ?? 365 });
    registerSecret(made.privateKeyPem);
    der = made.certificateDer;
    notBefore = made.notBefore;
    notAfter = made.notAfter;
    thumbprint = made.thumbprint;
    certificatePath = resolve(params.certificateOutputPath ?? join(dirname(profilePath), 'credentials', `${params.name}.pem`));
    if (!context.dryRun) {
      await fs.mkdir(dirname(certificatePath), { recursive: true, mode: 0o700 });
      // Key and certificate in one PEM: the form ClientCertificateCredential reads.
      await writePrivateFile(certificatePath, `${made.privateKeyPem}${made.certificatePem}`);
    }
    events.log('verbose', `Created certificate ${thumbprint} (CN=${subject}, valid until ${notAfter.toISOString()}); its key is in ${certificatePath}, readable by its owner only.`);
  }
  const publicCertificatePath = certificatePath !== undefined ? certificatePath.replace(/\.pem$/i, '') + '.cer' : resolve(join(dirname(profilePath), 'credentials', `${params.name}.cer`));
  if (!context.dryRun) {
    await fs.mkdir(dirname(publicCertificatePath), { recursive: true, mode: 0o700 });
    await writePublicFile(publicCertificatePath, der);
  }

  // 2. Registration on the application.
  const commands = registrationCommands(params.applicationId, publicCertificatePath);
  let outcome: RegistrationOutcome = { registered: false, reason: 'not attempted (-NoRegister)' };
  if (context.dryRun) outcome = { registered: false, reason: 'not attempted (-WhatIf)' };
  else if (params.register !== false) {
    const cloud = azureCloud(params.environment);
    // The caller's own identity (an administrator's sign-in, graphAccessToken, or a service principal
    // given by clientId + secret), not the new application's.
    outcome = await registerCertificate(cloud.graphEndpoint, cloud.graphScope, tokenCredential(params, cloud, 'graph'), {
      clientId: params.applicationId, certificateDer: der, thumbprint, displayName: `CN=${subject}`, notBefore, notAfter,
    }, context.signal);
  }
  if (outcome.registered) events.log('information', `Registered certificate ${thumbprint} on application ${outcome.applicationName ?? params.applicationId}.`);
  else {
    events.log('warning', `The certificate was not registered on application ${params.applicationId}: ${outcome.reason}. An administrator of the tenant (Application Administrator, or an owner of the application) runs one of:\n  ${commands.join('\n  ')}`);
  }

  // 3. The profile.
  const entry: CredentialProfile = {
    tenantId: params.tenantId,
    clientId: params.applicationId,
    ...(params.subscriptionId === undefined ? {} : { subscriptionId: params.subscriptionId }),
    ...(params.environment === undefined ? {} : { environment: params.environment }),
    certificateThumbprint: thumbprint,
    ...(certificatePath === undefined ? {} : { certificatePath }),
    ...(params.storeCertificate === undefined ? {} : { certificateStore: params.storeCertificate.store }),
    notAfter: notAfter.toISOString(),
    registered: outcome.registered,
    createdAt: new Date().toISOString(),
  };
  if (!context.dryRun) {
    const latest = await readProfile(profilePath);
    await writeProfile(profilePath, { ...latest, format: 'offlineseed-profile', version: 1, credentials: { ...latest?.credentials, [params.name]: entry } });
  }
  context.emitResult({
    name: params.name,
    ...entry,
    publicCertificatePath,
    profilePath,
    scope,
    ...(outcome.registered ? {} : { registrationCommands: commands, ...(outcome.reason === undefined ? {} : { notRegisteredReason: outcome.reason }) }),
  });
}
