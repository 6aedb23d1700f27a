import { engineVersion, isSingleExecutable, PROTOCOL_VERSION, REPOSITORY_FORMAT_VERSION } from '../engineInfo.ts';
import type { CommandContext } from './command.ts';

export async function run(_params: Record<string, never>, context: CommandContext): Promise<void> {
  context.emitResult({
    engine: engineVersion(),
    protocol: PROTOCOL_VERSION,
    node: process.version,
    ...(process.versions.zstd === undefined ? {} : { zstd: process.versions.zstd }),
    platform: process.platform,
    arch: process.arch,
    repositoryFormat: REPOSITORY_FORMAT_VERSION,
    singleExecutable: isSingleExecutable(),
  });
}
