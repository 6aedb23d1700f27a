/**
 * The emulator's shipping sites (Locations_List/Get). Addresses are illustrative (the two US ones and
 * Australia East follow the spec examples); what matters for tests is the shape, the carriers, and
 * `alternateLocations`: East US lists only East US 2 (its own site is closed, so clients must ship to
 * the alternate), UK South asks for an inbound ID in additionalShippingInformation.
 */

export interface LocationProperties {
  recipientName: string;
  streetAddress1: string;
  streetAddress2: string;
  city: string;
  stateOrProvince: string;
  postalCode: string;
  countryOrRegion: string;
  phone: string;
  additionalShippingInformation: string;
  supportedCarriers: string[];
  alternateLocations: string[];
}

export interface LocationResource {
  id: string;
  /** Display name, e.g. "West US"; the id ends with the slug, e.g. "westus". */
  name: string;
  type: 'Microsoft.ImportExport/locations';
  properties: LocationProperties;
}

export const LOCATION_ID_PREFIX = '/providers/Microsoft.ImportExport/locations/';

function site(slug: string, name: string, address: Omit<LocationProperties, 'alternateLocations' | 'recipientName' | 'streetAddress2' | 'additionalShippingInformation'> & Partial<LocationProperties>, alternates: string[] = [slug]): LocationResource {
  return {
    id: `${LOCATION_ID_PREFIX}${slug}`,
    name,
    type: 'Microsoft.ImportExport/locations',
    properties: {
      recipientName: 'Microsoft Azure Import/Export Service',
      streetAddress2: '',
      additionalShippingInformation: '',
      ...address,
      alternateLocations: alternates.map((a) => `${LOCATION_ID_PREFIX}${a}`),
    },
  };
}

export function defaultLocations(): LocationResource[] {
  return [
    site('westus', 'West US', { streetAddress1: '2045 Lafayette Street', city: 'Santa Clara', stateOrProvince: 'CA', postalCode: '95050', countryOrRegion: 'USA', phone: '408 555 0100', supportedCarriers: ['FedEx', 'DHL', 'UPS', 'USPS'] }),
    site('westus2', 'West US 2', { streetAddress1: '4601 Columbia Way', city: 'Quincy', stateOrProvince: 'WA', postalCode: '98848', countryOrRegion: 'USA', phone: '509 555 0101', supportedCarriers: ['FedEx', 'DHL', 'UPS', 'USPS'] }),
    site('eastus2', 'East US 2', { streetAddress1: 'Boydton 1 / BLDG # 1 101 Herbert Drive', city: 'Boydton', stateOrProvince: 'VA', postalCode: '23917', countryOrRegion: 'USA', phone: '+1-434-555-0102', supportedCarriers: ['FedEx', 'DHL', 'UPS', 'USPS'] }),
    // A closed site: its own address must not be used; the alternate is East US 2.
    site('eastus', 'East US', { streetAddress1: '21625 Gresham Drive', city: 'Ashburn', stateOrProvince: 'VA', postalCode: '20147', countryOrRegion: 'USA', phone: '+1-703-555-0103', supportedCarriers: ['FedEx', 'DHL', 'UPS', 'USPS'] }, ['eastus2']),
    site('northeurope', 'North Europe', { streetAddress1: 'Unit 2, Grange Castle Business Park', city: 'Dublin', stateOrProvince: 'Dublin', postalCode: 'D22 XXXX', countryOrRegion: 'Ireland', phone: '+353 1 555 0104', supportedCarriers: ['DHL', 'FedEx'] }),
    site('westeurope', 'West Europe', { streetAddress1: 'Science Park 1', city: 'Amsterdam', stateOrProvince: 'North Holland', postalCode: '1098 XH', countryOrRegion: 'Netherlands', phone: '+31 20 555 0105', supportedCarriers: ['DHL', 'FedEx'] }),
    site('uksouth', 'UK South', { streetAddress1: '365 Lakeside Drive', city: 'London', stateOrProvince: 'London', postalCode: 'SL1 4XX', countryOrRegion: 'United Kingdom', phone: '+44 20 5550 0106', supportedCarriers: ['DHL', 'FedEx', 'Royal Mail'], additionalShippingInformation: 'An inbound ID is required: request one from adbops@microsoft.com and write it on the package.' }),
    site('australiaeast', 'Australia East', { streetAddress1: 'Customer-A c/o NEXTDC Ltd, Delivery code ABCDEFG, 4 Eden Park Drive', city: 'Macquarie Park', stateOrProvince: 'NSW', postalCode: '2113', countryOrRegion: 'Australia', phone: '612 5550 0107', supportedCarriers: ['DHL'] }),
    site('australiasoutheast', 'Australia Southeast', { streetAddress1: 'Microsoft, c/o NEXTDC Ltd, Delivery code ABCDEFG, 826-830 Lorimer St, Port', city: 'Melbourne', stateOrProvince: 'Victoria', postalCode: '3207', countryOrRegion: 'Australia', phone: '61 3 5550 0108', supportedCarriers: ['DHL'] }),
  ];
}

/** "West US", "westus", "WestUS", "west us" all name the same site (ARM location matching ignores case and spaces). */
export function normalizeLocationName(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

export function findLocation(locations: readonly LocationResource[], name: string): LocationResource | undefined {
  const wanted = normalizeLocationName(name);
  return locations.find((l) => normalizeLocationName(l.name) === wanted || l.id.slice(LOCATION_ID_PREFIX.length).toLowerCase() === wanted);
}

/**
 * The site drives really go to: the location itself when it lists itself among its alternates,
 * else its first alternate that exists (§1.6 of the reference).
 */
export function shippingSite(locations: readonly LocationResource[], location: LocationResource): LocationResource {
  const own = location.properties.alternateLocations.some((a) => a.toLowerCase() === location.id.toLowerCase());
  if (own || location.properties.alternateLocations.length === 0) return location;
  for (const alternate of location.properties.alternateLocations) {
    const found = findLocation(locations, alternate.slice(alternate.lastIndexOf('/') + 1));
    if (found) return found;
  }
  return location;
}
