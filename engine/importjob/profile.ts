/**
 * The return address and return carrier account, given once and kept in a small profile file so the
 * next import job does not ask again:
 *   Windows   %APPDATA%\OfflineSeed\profile.json
 *   elsewhere $XDG_CONFIG_HOME/offlineseed/profile.json (default ~/.config/offlineseed/profile.json)
 * or the file named by profilePath. {"format":"offlineseed-profile","version":1,"returnAddress":{…},
 * "returnShipping":{…}}: no secrets, written atomically and readable by its owner only (it holds a
 * carrier account number and a personal address).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import { validate } from '../protocol/validator.ts';

export interface ReturnAddress {
  recipientName: string;
  streetAddress1: string;
  streetAddress2?: string;
  city: string;
  stateOrProvince?: string;
  postalCode: string;
  countryOrRegion: string;
  phone: string;
  email: string;
}

export interface ReturnShipping {
  carrierName: string;
  carrierAccountNumber: string;
}

export interface Profile {
  format: 'offlineseed-profile';
  version: 1;
  returnAddress?: ReturnAddress;
  returnShipping?: ReturnShipping;
  updatedAt?: string;
}

export const RETURN_ADDRESS_REQUIRED = ['recipientName', 'streetAddress1', 'city', 'postalCode', 'countryOrRegion', 'phone', 'email'] as const;
export const RETURN_SHIPPING_REQUIRED = ['carrierName', 'carrierAccountNumber'] as const;

export function defaultProfilePath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'OfflineSeed', 'profile.json');
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'offlineseed', 'profile.json');
}

function profileProblem(path: string, detail: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.ProfileInvalid', 'InvalidData', `the profile ${path} is not valid: ${detail}`, {
    targetObject: path,
    recommendedAction: 'Fix or delete the file, or give -ReturnAddress, -ReturnCarrierName and -ReturnCarrierAccountNumber with -SaveProfile to write it again.',
  });
}

export async function readProfile(path: string): Promise<Profile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw profileProblem(path, `not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || (value as Profile).format !== 'offlineseed-profile' || (value as Profile).version !== 1) {
    throw profileProblem(path, 'it is not an OfflineSeed profile (format offlineseed-profile, version 1)');
  }
  const profile = value as Profile;
  for (const [member, schema] of [['returnAddress', 'urn:offlineseed:common:return-address'], ['returnShipping', 'urn:offlineseed:common:return-shipping']] as const) {
    if (profile[member] === undefined) continue;
    const outcome = validate(schema, profile[member], member);
    if (!outcome.valid) throw profileProblem(path, outcome.message ?? `${member} is invalid`);
  }
  return profile;
}

export async function writeProfile(path: string, profile: Profile): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    await fh.writeFile(JSON.stringify({ ...profile, updatedAt: new Date().toISOString() }, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(temp, path);
}

/** The fields the service requires that are missing or blank (it refuses the job without them, §6.12). */
export function missingFields(value: Record<string, unknown> | undefined, required: readonly string[]): string[] {
  return required.filter((f) => typeof value?.[f] !== 'string' || (value[f] as string).trim() === '');
}

export interface ReturnDetails {
  returnAddress: ReturnAddress;
  returnShipping: ReturnShipping;
  /** Where each came from: "parameters" or the profile's path. */
  addressSource: string;
  shippingSource: string;
  profilePath: string;
  profileSaved: boolean;
}

/**
 * The return address and carrier: from the request, else from the profile. With save, the request's
 * values are written to the profile (merged with what it had). Both are required for an import job
 * (the service needs them before the job can move to Shipping, and the return carrier account pays for
 * sending the drives back), so their absence stops job creation before anything is sent.
 */
export async function resolveReturnDetails(params: { returnAddress?: Partial<ReturnAddress>; returnShipping?: Partial<ReturnShipping>; profilePath?: string; saveProfile?: boolean }, dryRun: boolean): Promise<ReturnDetails> {
  const profilePath = resolve(params.profilePath ?? defaultProfilePath());
  const profile = await readProfile(profilePath);
  const address = (params.returnAddress ?? profile?.returnAddress) as Record<string, unknown> | undefined;
  const shipping = (params.returnShipping ?? profile?.returnShipping) as Record<string, unknown> | undefined;
  const addressSource = params.returnAddress !== undefined ? 'parameters' : profilePath;
  const shippingSource = params.returnShipping !== undefined ? 'parameters' : profilePath;
  if (address === undefined || shipping === undefined) {
    const what = address === undefined && shipping === undefined ? 'a return address and a return carrier account' : address === undefined ? 'a return address' : 'a return carrier and carrier account number';
    throw new OfflineSeedError('OfflineSeed.ReturnDetailsRequired', 'InvalidArgument', `params: an import job needs ${what}, and the profile ${profilePath} has none`, {
      targetObject: address === undefined ? 'params.returnAddress' : 'params.returnShipping',
      recommendedAction: 'Give -ReturnAddress @{RecipientName=…; StreetAddress1=…; City=…; PostalCode=…; CountryOrRegion=…; Phone=…; Email=…} and -ReturnCarrierName / -ReturnCarrierAccountNumber (add -SaveProfile to remember them).',
    });
  }
  const missingAddress = missingFields(address, RETURN_ADDRESS_REQUIRED);
  if (missingAddress.length > 0) {
    throw new OfflineSeedError('OfflineSeed.ReturnAddressIncomplete', 'InvalidArgument', `params.returnAddress: the service requires ${missingAddress.join(', ')} (from ${addressSource})`, {
      targetObject: `params.returnAddress.${missingAddress[0]}`,
      recommendedAction: `Give a complete return address: ${RETURN_ADDRESS_REQUIRED.join(', ')} (streetAddress2 and stateOrProvince are optional).`,
    });
  }
  const missingShipping = missingFields(shipping, RETURN_SHIPPING_REQUIRED);
  if (missingShipping.length > 0) {
    throw new OfflineSeedError('OfflineSeed.ReturnShippingIncomplete', 'InvalidArgument', `params.returnShipping: the service requires ${missingShipping.join(', ')} (from ${shippingSource})`, {
      targetObject: `params.returnShipping.${missingShipping[0]}`,
      recommendedAction: 'Give -ReturnCarrierName (FedEx in the US and Europe, DHL in Asia and Australia) and -ReturnCarrierAccountNumber, your account with that carrier.',
    });
  }
  let profileSaved = false;
  if (params.saveProfile === true && !dryRun) {
    await writeProfile(profilePath, {
      format: 'offlineseed-profile',
      version: 1,
      returnAddress: address as unknown as ReturnAddress,
      returnShipping: shipping as unknown as ReturnShipping,
    });
    profileSaved = true;
  }
  return {
    returnAddress: address as unknown as ReturnAddress,
    returnShipping: shipping as unknown as ReturnShipping,
    addressSource,
    shippingSource,
    profilePath,
    profileSaved,
  };
}
