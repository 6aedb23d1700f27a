import { invalidRequest } from '../protocol/errors.ts';
import { flattenSchema } from '../protocol/schemaResolution.ts';
import { schemaById } from '../protocol/schemaStore.ts';
import type { CommandContext } from './command.ts';
import { allCommands } from './registry.ts';

interface DescribeParams {
  command?: string;
}

export async function run(params: DescribeParams, context: CommandContext): Promise<void> {
  const selected = allCommands().filter((c) => params.command === undefined || c.name === params.command);
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
}
