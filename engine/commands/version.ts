import { engineVersion, isSingleExecutable, PROTOCOL_VERSION, REPOSITORY_FORMAT_VERSION } from '../engineInfo.ts';
import { defineCommand } from './command.ts';

export const versionCommand = defineCommand<Record<string, never>>({
  name: 'version',
  summary: 'Print the engine, protocol, Node.js and repository format versions.',
  cmdlet: 'Get-OfflineSeedEngineVersion',
  resultTypeName: 'OfflineSeed.EngineVersion',
  async run(_params, context) {
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
  },
});
