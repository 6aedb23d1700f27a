/** The profile as a result object: what an import job and -CredentialProfile would use, and from where. */
import type { ProfileView } from './profile.ts';

export function profileResult(view: ProfileView): Record<string, unknown> {
  return {
    ...(view.returnAddress === undefined ? {} : { returnAddress: view.returnAddress, returnAddressSource: view.sources.returnAddress }),
    ...(view.returnShipping === undefined ? {} : { returnShipping: view.returnShipping, returnShippingSource: view.sources.returnShipping }),
    credentialProfiles: Object.entries(view.credentials).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, c]) => ({
      name,
      tenantId: c.tenantId,
      clientId: c.clientId,
      ...(c.subscriptionId === undefined ? {} : { subscriptionId: c.subscriptionId }),
      certificateThumbprint: c.certificateThumbprint,
      ...(c.certificatePath === undefined ? {} : { certificatePath: c.certificatePath }),
      ...(c.certificateStore === undefined ? {} : { certificateStore: c.certificateStore }),
      ...(c.notAfter === undefined ? {} : { notAfter: c.notAfter }),
      registered: c.registered ?? false,
      source: view.sources.credentials[name]!,
    })),
    profilePaths: view.paths,
  };
}
