import { openBackend, type AzureAccessParams } from '../repo/repositoryLocation.ts';
import { Repository } from '../repo/repository.ts';
import { resolvePassword, type PasswordParams } from '../seed/password.ts';
import { defineCommand } from './command.ts';

interface SnapshotListParams extends PasswordParams, AzureAccessParams {
  repository: string;
}

export const snapshotListCommand = defineCommand<SnapshotListParams>({
  name: 'snapshot.list',
  summary: 'List the snapshots of a repository, oldest first.',
  cmdlet: 'Get-OfflineSeedSnapshot',
  resultTypeName: 'OfflineSeed.Snapshot',
  secretParams: ['password'],
  async run(params, context) {
    const repo = await Repository.open(openBackend(params.repository, params), resolvePassword(params));
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
  },
});
