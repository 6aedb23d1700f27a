/** A legacy .publishsettings file: only the subscription id is read; its management certificate is ignored. */
import { readFileSync } from 'node:fs';
import { OfflineSeedError } from '../protocol/errors.ts';

export function subscriptionIdFromPublishSettings(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new OfflineSeedError('OfflineSeed.PublishSettingsUnreadable', 'ReadError', `cannot read the publish settings file ${path}`, { targetObject: path });
  }
  const ids = [...text.matchAll(/<Subscription\b[^>]*\bId="([0-9a-fA-F-]{36})"/g)].map((m) => m[1]!);
  if (ids.length === 0) {
    throw new OfflineSeedError('OfflineSeed.PublishSettingsInvalid', 'InvalidArgument', `no <Subscription Id="…"> in the publish settings file ${path}`, { targetObject: path });
  }
  if (new Set(ids).size > 1) {
    throw new OfflineSeedError('OfflineSeed.PublishSettingsAmbiguous', 'InvalidArgument', `the publish settings file ${path} lists ${ids.length} subscriptions; give subscriptionId`, { targetObject: path });
  }
  return ids[0]!;
}
