/**
 * Where the drives go: Locations_Get for the job's location (the storage account's region), then, as
 * the service documents (reference §1.6), the location itself when its alternateLocations list it,
 * otherwise its first alternate that exists (the region's own site is closed or does not take drives).
 */
import type { Location, ShippingInformation, StorageImportExport } from '@azure/arm-storageimportexport';
import { armCall, isNotFound } from './armClient.ts';

export interface ShipToAddress {
  recipientName: string;
  streetAddress1: string;
  streetAddress2: string;
  city: string;
  stateOrProvince: string;
  postalCode: string;
  countryOrRegion: string;
  phone: string;
  additionalInformation: string;
}

/** What a job without a ship-to address reports. */
export const EMPTY_ADDRESS: ShipToAddress = { recipientName: '', streetAddress1: '', streetAddress2: '', city: '', stateOrProvince: '', postalCode: '', countryOrRegion: '', phone: '', additionalInformation: '' };

export interface ShipTo {
  /** The job's location as the service names it ("West US"). */
  location: string;
  /** The site the drives go to ("East US 2" when East US sends them to its alternate). */
  site: string;
  alternate: boolean;
  address: ShipToAddress;
  supportedCarriers: string[];
}

function slug(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

function addressOf(location: Location): ShipToAddress {
  return {
    recipientName: location.recipientName ?? '',
    streetAddress1: location.streetAddress1 ?? '',
    streetAddress2: location.streetAddress2 ?? '',
    city: location.city ?? '',
    stateOrProvince: location.stateOrProvince ?? '',
    postalCode: location.postalCode ?? '',
    countryOrRegion: location.countryOrRegion ?? '',
    phone: location.phone ?? '',
    additionalInformation: location.additionalShippingInformation ?? '',
  };
}

export async function resolveShipTo(client: StorageImportExport, locationName: string): Promise<ShipTo> {
  const requested = await armCall(`look up the Import/Export location "${locationName}"`, locationName, () => client.locations.get(locationName), {
    ResourceNotFound: 'Give an Import/Export location, normally the storage account\'s region (e.g. "West US" or westus); Get-AzImportExportLocation lists them.',
  });
  const alternates = requested.alternateLocations ?? [];
  const own = requested.id ?? '';
  let site = requested;
  if (alternates.length > 0 && !alternates.some((a) => a.toLowerCase() === own.toLowerCase() || slug(a).toLowerCase() === slug(own).toLowerCase())) {
    for (const alternate of alternates) {
      try {
        site = await client.locations.get(slug(alternate));
        break;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
  return {
    location: requested.name ?? locationName,
    site: site.name ?? slug(site.id ?? locationName),
    alternate: site !== requested,
    address: addressOf(site),
    supportedCarriers: site.supportedCarriers ?? [],
  };
}

/** The service's own copy of the ship-to address in a job (authoritative once the job exists). */
export function addressFromJob(info: ShippingInformation | undefined, fallback: ShipToAddress): ShipToAddress {
  if (info === undefined) return fallback;
  return {
    recipientName: info.recipientName ?? fallback.recipientName,
    streetAddress1: info.streetAddress1 ?? fallback.streetAddress1,
    streetAddress2: info.streetAddress2 ?? fallback.streetAddress2,
    city: info.city ?? fallback.city,
    stateOrProvince: info.stateOrProvince ?? fallback.stateOrProvince,
    postalCode: info.postalCode ?? fallback.postalCode,
    countryOrRegion: info.countryOrRegion ?? fallback.countryOrRegion,
    phone: info.phone ?? fallback.phone,
    additionalInformation: info.additionalInformation ?? fallback.additionalInformation,
  };
}

export function formatAddress(a: ShipToAddress): string {
  return [a.recipientName, a.streetAddress1, a.streetAddress2, [a.postalCode, a.city].filter((s) => s !== '').join(' '), a.stateOrProvince, a.countryOrRegion, a.phone === '' ? '' : `phone ${a.phone}`]
    .filter((s) => s !== undefined && s.trim() !== '')
    .join(', ');
}
