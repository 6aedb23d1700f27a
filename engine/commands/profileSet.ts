/**
 * profile.set (Set-OfflineSeedProfile): saves the return address and return carrier account once,
 * for this user or for every user of the computer, so New-OfflineSeedImportJob and
 * Test-OfflineSeedPrerequisite find them without being told; removes a credential profile.
 * Partial updates merge: a field not given keeps its saved value. The result is what commands will use.
 */
import { resolve } from 'node:path';
import { defaultProfilePath, missingFields, readProfile, readProfiles, RETURN_ADDRESS_REQUIRED, RETURN_SHIPPING_REQUIRED, writeProfile, type ProfileScope, type ReturnAddress, type ReturnShipping } from '../importjob/profile.ts';
import { profileResult } from '../importjob/profileView.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { CommandContext } from './command.ts';

interface ProfileSetParams {
  returnAddress?: Partial<ReturnAddress>;
  returnShipping?: Partial<ReturnShipping>;
  removeCredentialProfile?: string;
  scope?: ProfileScope;
  profilePath?: string;
}

export async function run(params: ProfileSetParams, context: CommandContext): Promise<void> {
  const path = resolve(params.profilePath ?? defaultProfilePath(process.env, process.platform, params.scope ?? 'User'));
  const current = await readProfile(path);
  const address = params.returnAddress === undefined ? current?.returnAddress : { ...current?.returnAddress, ...params.returnAddress } as ReturnAddress;
  const shipping = params.returnShipping === undefined ? current?.returnShipping : { ...current?.returnShipping, ...params.returnShipping } as ReturnShipping;
  const missingAddress = address === undefined ? [] : missingFields(address as unknown as Record<string, unknown>, RETURN_ADDRESS_REQUIRED);
  if (missingAddress.length > 0) {
    throw new OfflineSeedError('OfflineSeed.ReturnAddressIncomplete', 'InvalidArgument', `params.returnAddress: the service requires ${missingAddress.join(', ')}`, {
      targetObject: `params.returnAddress.${missingAddress[0]}`,
      recommendedAction: `Give a complete return address: ${RETURN_ADDRESS_REQUIRED.join(', ')} (streetAddress2 and stateOrProvince are optional).`,
    });
  }
  const missingShipping = shipping === undefined ? [] : missingFields(shipping as unknown as Record<string, unknown>, RETURN_SHIPPING_REQUIRED);
  if (missingShipping.length > 0) {
    throw new OfflineSeedError('OfflineSeed.ReturnShippingIncomplete', 'InvalidArgument', `params.returnShipping: the service requires ${missingShipping.join(', ')}`, {
      targetObject: `params.returnShipping.${missingShipping[0]}`,
      recommendedAction: 'Give -ReturnCarrierName and -ReturnCarrierAccountNumber.',
    });
  }
  const credentials = { ...current?.credentials };
  if (params.removeCredentialProfile !== undefined) {
    if (credentials[params.removeCredentialProfile] === undefined) {
      throw new OfflineSeedError('OfflineSeed.CredentialProfileNotFound', 'ObjectNotFound', `params.removeCredentialProfile: ${path} has no credential profile "${params.removeCredentialProfile}"`, { targetObject: params.removeCredentialProfile });
    }
    delete credentials[params.removeCredentialProfile];
    context.events.log('information', `Removed credential profile "${params.removeCredentialProfile}" from ${path}; its certificate stays registered on the application until an administrator removes it.`);
  }
  if (!context.dryRun) {
    await writeProfile(path, {
      ...current,
      format: 'offlineseed-profile',
      version: 1,
      ...(address === undefined ? {} : { returnAddress: address }),
      ...(shipping === undefined ? {} : { returnShipping: shipping }),
      credentials,
    });
    context.events.log('verbose', `Saved ${path}.`);
  } else {
    context.events.log('information', `Would save ${path} (nothing written: -WhatIf).`);
  }
  context.emitResult(profileResult(await readProfiles(params.profilePath)));
}
