import { checkKeyless, checkRepository } from '../checker/checker.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { openBackend, type AzureAccessParams } from '../repo/repositoryLocation.ts';
import { Repository } from '../repo/repository.ts';
import { resolvePassword, type PasswordParams } from '../seed/password.ts';
import type { CommandContext } from './command.ts';

interface CheckParams extends PasswordParams, AzureAccessParams {
  repository: string;
  readData?: boolean;
  readDataSubset?: string;
  keyless?: boolean;
}

export async function run(params: CheckParams, context: CommandContext): Promise<void> {
  const started = Date.now();
  const backend = await openBackend(params.repository, params);
  const keyless = params.keyless === true;
  const readData = params.readData === true || params.readDataSubset !== undefined;
  const report = keyless
    ? await checkKeyless(backend, context)
    : await checkRepository(await Repository.open(backend, resolvePassword(params)), context, { readData, ...(params.readDataSubset === undefined ? {} : { subset: params.readDataSubset }) });
  const serious = report.problems.filter((p) => p.kind !== 'UnreferencedPack');
  for (const p of report.problems) context.events.log(p.kind === 'UnreferencedPack' ? 'verbose' : 'warning', p.message);
  context.emitResult({
    repository: backend.location,
    ok: serious.length === 0,
    keyless,
    readData: readData && !keyless,
    packs: report.packs,
    packsRead: report.packsRead,
    blobs: report.blobs,
    snapshots: report.snapshots,
    bytesRead: report.bytesRead,
    problems: report.problems,
    durationSeconds: Math.round((Date.now() - started) / 10) / 100,
  });
  if (serious.length > 0) {
    throw new OfflineSeedError('OfflineSeed.CheckFailed', 'InvalidData', `the repository at ${backend.location} has ${serious.length} problems: ${serious.slice(0, 3).map((p) => p.message).join('; ')}`, {
      targetObject: backend.location,
      recommendedAction: 'Repair damaged or missing packs from the staging location or a drive (Complete-OfflineSeed does this for an imported seed).',
    });
  }
}
