import { resolve } from 'node:path';
import { openBackend, type AzureAccessParams } from '../repo/repositoryLocation.ts';
import { Repository } from '../repo/repository.ts';
import { Restorer, type OverwriteMode } from '../restorer/restorer.ts';
import { resolvePassword, type PasswordParams } from '../seed/password.ts';
import type { CommandContext } from './command.ts';

interface RestoreParams extends PasswordParams, AzureAccessParams {
  repository: string;
  snapshot?: string;
  target: string;
  include?: string[];
  overwrite?: OverwriteMode;
}

export async function run(params: RestoreParams, context: CommandContext): Promise<void> {
  const started = Date.now();
  const backend = await openBackend(params.repository, params);
  const repo = await Repository.open(backend, resolvePassword(params));
  await repo.loadIndex();
  const { id, snapshot } = await repo.findSnapshot(params.snapshot ?? 'latest');
  const target = resolve(params.target);
  if (context.dryRun) {
    context.events.log('information', `What if: restore snapshot ${id.slice(0, 8)} (${snapshot.paths.join(', ')}) into ${target}`);
    return;
  }
  const stats = await new Restorer(repo, context.events, context.signal, {
    treeId: snapshot.tree,
    target,
    include: params.include ?? [],
    overwrite: params.overwrite ?? 'if-changed',
  }).run();
  context.emitResult({
    repository: backend.location,
    snapshotId: id,
    target,
    ...stats,
    durationSeconds: Math.round((Date.now() - started) / 10) / 100,
  });
}
