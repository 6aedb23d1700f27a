import { invalidRequest } from '../protocol/errors.ts';
import { flattenSchema } from '../protocol/schemaResolution.ts';
import { allSchemas, type JsonSchema } from '../protocol/schemaStore.ts';
import { defineCommand, type RegisteredCommand } from './command.ts';

interface DescribeParams {
  command?: string;
}

export function schemaById(id: string): JsonSchema {
  const found = Object.values(allSchemas()).find((s) => s.$id === id);
  if (found === undefined) throw new Error(`no schema with $id ${id}`);
  return found;
}

/** `describe` needs the registry, which contains `describe`; the registry hands itself in. */
export function makeDescribeCommand(commands: () => readonly RegisteredCommand[]): RegisteredCommand {
  return defineCommand<DescribeParams>({
    name: 'describe',
    summary: 'List every command with its parameter and result schemas.',
    resultTypeName: 'OfflineSeed.CommandDescription',
    async run(params, context) {
      const selected = commands().filter((c) => params.command === undefined || c.name === params.command);
      if (selected.length === 0) throw invalidRequest(`params.command: no command named "${params.command}"`, params.command);
      for (const command of selected) {
        context.emitResult({
          command: command.name,
          summary: command.summary,
          resultTypeName: command.resultTypeName,
          ...(command.cmdlet === undefined ? {} : { cmdlet: command.cmdlet }),
          params: flattenSchema(schemaById(command.paramsSchemaId)),
          result: schemaById(command.resultSchemaId),
        });
      }
    },
  });
}
