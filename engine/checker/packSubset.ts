/**
 * --read-data-subset: "n/t" reads the n-th of t groups (by the pack id's first byte, so successive runs
 * n = 1..t together read everything, as restic does); "p%" reads a random p percent.
 */
import { OfflineSeedError } from '../protocol/errors.ts';

export function selectPackSubset(packs: readonly string[], subset: string | undefined): string[] {
  if (subset === undefined) return [...packs];
  const group = /^([0-9]+)\/([0-9]+)$/.exec(subset);
  if (group !== null) {
    const n = Number(group[1]);
    const t = Number(group[2]);
    if (t < 1 || n < 1 || n > t) {
      throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', `params.readDataSubset: "${subset}" must be n/t with 1 ≤ n ≤ t`, { targetObject: subset });
    }
    return packs.filter((p) => parseInt(p.slice(0, 2), 16) % t === n - 1);
  }
  const percent = Number(subset.replace(/%$/, ''));
  if (!(percent > 0 && percent <= 100)) {
    throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', `params.readDataSubset: "${subset}" must be a percentage in (0, 100]`, { targetObject: subset });
  }
  const count = Math.max(1, Math.round((packs.length * percent) / 100));
  const shuffled = [...packs];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return shuffled.slice(0, Math.min(count, packs.length));
}
