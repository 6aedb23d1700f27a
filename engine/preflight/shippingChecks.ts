/** The return address and return carrier account an import job needs, from the request or the profile. */
import { missingFields, RETURN_ADDRESS_REQUIRED, RETURN_SHIPPING_REQUIRED } from '../importjob/profile.ts';
import { fail, pass, type CheckResult } from './check.ts';

export function returnDetailsChecks(address: Record<string, unknown> | undefined, shipping: Record<string, unknown> | undefined, source: string): CheckResult[] {
  const results: CheckResult[] = [];
  const setIt = 'Save it once: Set-OfflineSeedProfile -ReturnAddress @{RecipientName=...; StreetAddress1=...; City=...; PostalCode=...; CountryOrRegion=...; Phone=...; Email=...} -ReturnCarrierName FedEx -ReturnCarrierAccountNumber <account>.';
  if (address === undefined) results.push(fail('Shipping', 'ReturnAddress', source, 'no return address: the service needs one before the drives can ship', setIt));
  else {
    const missing = missingFields(address, RETURN_ADDRESS_REQUIRED);
    results.push(missing.length === 0
      ? pass('Shipping', 'ReturnAddress', source, `complete (${String(address['recipientName'])}, ${String(address['city'])}, ${String(address['countryOrRegion'])})`)
      : fail('Shipping', 'ReturnAddress', source, `incomplete: ${missing.join(', ')} missing`, `Give the missing field(s) (${missing.join(', ')}); ${setIt}`));
  }
  if (shipping === undefined) results.push(fail('Shipping', 'ReturnCarrier', source, 'no return carrier account: the service sends the drives back on your carrier account', setIt));
  else {
    const missing = missingFields(shipping, RETURN_SHIPPING_REQUIRED);
    results.push(missing.length === 0
      ? pass('Shipping', 'ReturnCarrier', source, `${String(shipping['carrierName'])} account on file`)
      : fail('Shipping', 'ReturnCarrier', source, `incomplete: ${missing.join(', ')} missing`, 'Give -ReturnCarrierName (FedEx in the US and Europe, DHL in Asia and Australia) and -ReturnCarrierAccountNumber.'));
  }
  return results;
}
