/**
 * The return address, return carrier account and credential profiles, given once and kept in a small
 * profile file so the next import job (and every Azure command, through -CredentialProfile) does not
 * ask again. Two scopes; a value missing from the user's profile is taken from the machine's:
 *   user      Windows %APPDATA%\OfflineSeed\profile.json
 *             elsewhere $XDG_CONFIG_HOME/offlineseed/profile.json (default ~/.config/offlineseed/profile.json)
 *   machine   Windows %ProgramData%\OfflineSeed\profile.json, elsewhere /etc/offlineseed/profile.json
 *             (OFFLINESEED_MACHINE_PROFILE names another file)
 * or only the file named by profilePath. {"format":"offlineseed-profile","version":1,"returnAddress":{…},
 * "returnShipping":{…},"credentials":{"<name>":{…}}}: no secrets, written atomically and readable by
 * its owner only (it holds a carrier account number and a personal address).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fromSystemError, OfflineSeedError } from '../protocol/errors.ts';
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

export interface CredentialProfile {
  tenantId: string;
  clientId: string;
  subscriptionId?: string;
  environment?: 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';
  certificateThumbprint: string;
  certificatePath?: string;
  certificateStore?: 'CurrentUser\\My' | 'LocalMachine\\My';
  notAfter?: string;
  registered?: boolean;
  createdAt: string;
}

export interface Profile {
  format: 'offlineseed-profile';
  version: 1;
  returnAddress?: ReturnAddress;
  returnShipping?: ReturnShipping;
  credentials?: Record<string, CredentialProfile>;
  updatedAt?: string;
}

export type ProfileScope = 'User' | 'Machine';

export const RETURN_ADDRESS_REQUIRED = ['recipientName', 'streetAddress1', 'city', 'postalCode', 'countryOrRegion', 'phone', 'email'] as const;
export const RETURN_SHIPPING_REQUIRED = ['carrierName', 'carrierAccountNumber'] as const;

export function defaultProfilePath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, scope: ProfileScope = 'User'): string {
  if (scope === 'Machine') {
    if (env.OFFLINESEED_MACHINE_PROFILE !== undefined && env.OFFLINESEED_MACHINE_PROFILE !== '') return env.OFFLINESEED_MACHINE_PROFILE;
    return platform === 'win32' ? join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'OfflineSeed', 'profile.json') : '/etc/offlineseed/profile.json';
  }
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
    throw fromSystemError(error, path) ?? error;
  }
  return parseProfile(path, text);
}

/** The same, synchronously (credential resolution happens where the SDK clients are built). */
export function readProfileSync(path: string): Profile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromSystemError(error, path) ?? error;
  }
  return parseProfile(path, text);
}

function parseProfile(path: string, text: string): Profile {
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
  if (profile.credentials !== undefined) {
    if (typeof profile.credentials !== 'object' || profile.credentials === null || Array.isArray(profile.credentials)) throw profileProblem(path, 'credentials must be an object');
    for (const [name, entry] of Object.entries(profile.credentials)) {
      const outcome = validate('urn:offlineseed:common:credential-profile', entry, `credentials.${name}`);
      if (!outcome.valid) throw profileProblem(path, outcome.message ?? `credentials.${name} is invalid`);
    }
  }
  return profile;
}

export interface ProfileView {
  returnAddress?: ReturnAddress;
  returnShipping?: ReturnShipping;
  credentials: Record<string, CredentialProfile>;
  /** Where each member came from (a path), for messages. */
  sources: { returnAddress?: string; returnShipping?: string; credentials: Record<string, string> };
  /** The files read, user first. */
  paths: string[];
}

/** What the profiles say: only profilePath when given, else the user's over the machine's. */
export function profileView(profiles: readonly [string, Profile | undefined][]): ProfileView {
  const view: ProfileView = { credentials: {}, sources: { credentials: {} }, paths: profiles.map(([p]) => p) };
  for (const [path, profile] of [...profiles].reverse()) {
    if (profile === undefined) continue;
    if (profile.returnAddress !== undefined) {
      view.returnAddress = profile.returnAddress;
      view.sources.returnAddress = path;
    }
    if (profile.returnShipping !== undefined) {
      view.returnShipping = profile.returnShipping;
      view.sources.returnShipping = path;
    }
    for (const [name, entry] of Object.entries(profile.credentials ?? {})) {
      view.credentials[name] = entry;
      view.sources.credentials[name] = path;
    }
  }
  return view;
}

function profilePaths(profilePath: string | undefined): string[] {
  return profilePath !== undefined ? [resolve(profilePath)] : [defaultProfilePath(), defaultProfilePath(process.env, process.platform, 'Machine')];
}

export async function readProfiles(profilePath?: string): Promise<ProfileView> {
  const paths = profilePaths(profilePath);
  const list: [string, Profile | undefined][] = [];
  for (const p of paths) list.push([p, await readProfile(p)]);
  return profileView(list);
}

export function readProfilesSync(profilePath?: string): ProfileView {
  return profileView(profilePaths(profilePath).map((p) => [p, readProfileSync(p)] as [string, Profile | undefined]));
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
  const profile = await readProfiles(params.profilePath);
  const address = (params.returnAddress ?? profile.returnAddress) as Record<string, unknown> | undefined;
  const shipping = (params.returnShipping ?? profile.returnShipping) as Record<string, unknown> | undefined;
  const addressSource = params.returnAddress !== undefined ? 'parameters' : profile.sources.returnAddress ?? profilePath;
  const shippingSource = params.returnShipping !== undefined ? 'parameters' : profile.sources.returnShipping ?? profilePath;
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
    const current = await readProfile(profilePath);
    await writeProfile(profilePath, {
      ...current,
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
