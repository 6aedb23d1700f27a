import { openBackend, type AzureAccessParams } from '../repo/repositoryLocation.ts';
import { Repository } from '../repo/repository.ts';
import { resolvePassword, type PasswordParams } from '../seed/password.ts';
import type { CommandContext } from './command.ts';

interface SnapshotListParams extends PasswordParams, AzureAccessParams {
  repository: string;
}

export async function run(params: SnapshotListParams, context: CommandContext): Promise<void> {
  const repo = await Repository.open(await openBackend(params.repository, params), resolvePassword(params));
  for (const { id, snapshot } of await repo.listSnapshots()) {
    context.emitResult({
      id,
      shortId: id.slice(0, 8),
      time: snapshot.time,
      tree: snapshot.tree,
      ...(snapshot.parent === undefined ? {} : { parent: snapshot.parent }),
      paths: snapshot.paths,
      hostname: snapshot.hostname ?? '',
      ...(snapshot.username === undefined ? {} : { username: snapshot.username }),
      tags: snapshot.tags ?? [],
    });
  }
}
