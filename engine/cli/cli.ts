/**
 * The engine's CLI for people and scripts: `offlineseed-engine <group> <command> --flags`.
 * Every command and flag comes from the command table and the params schemas; the request built
 * here goes through exactly the same validation and dispatch as a --json request.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { allCommands } from '../commands/registry.ts';
import type { RegisteredCommand } from '../commands/command.ts';
import { schemaById } from '../protocol/schemaStore.ts';
import { flattenSchema } from '../protocol/schemaResolution.ts';
import { Cancellation } from '../protocol/cancellation.ts';
import { createEventSink, type EventSink } from '../protocol/eventSink.ts';
import { runRequest } from '../protocol/runRequest.ts';
import { flagsFromSchema, paramsFromFlags, UsageError, type FlagSpec } from './flagsFromSchema.ts';
import { createHumanSink } from './humanSink.ts';
import { readSecret, secretEnvName } from './secretInput.ts';

export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName('offlineseed-engine')
    .usage('$0 <command> [options]\n\nOffline seeding of large first backups into Azure. `$0 --json` reads one request from stdin and writes NDJSON events.')
    .option('json', { type: 'boolean', describe: 'Write NDJSON events instead of human output.', global: true })
    .option('dry-run', { type: 'boolean', describe: 'Plan only; write nothing (PowerShell -WhatIf).', global: true })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'Show verbose messages.', global: true })
    .version(false)
    .strict()
    .demandCommand(1, 'Name a command; --help lists them.')
    .recommendCommands()
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .epilogue('DSC v3 resources: $0 dsc <get|test|set|export> --resource <OfflineSeed/ImportJob|OfflineSeed/Backup> (instance JSON on stdin).\nExit codes: 0 ok, 1 failed, 2 invalid request, 3 cancelled.')
    .fail((message, error) => {
      // yargs goes on into the command handler unless fail() throws.
      throw error ?? new UsageError(message);
    });

  for (const [group, commands] of groupCommands(allCommands())) {
    if (group === '') {
      for (const command of commands) addCommand(parser, command, command.name, (code) => (exitCode = code));
      continue;
    }
    parser.command(group, `${group} commands`, (sub) => {
      for (const command of commands) addCommand(sub, command, command.name.slice(group.length + 1), (code) => (exitCode = code));
      return sub.strict().demandCommand(1, `Name a ${group} command; --help lists them.`);
    });
  }
  try {
    await parser.parseAsync();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`ERROR [OfflineSeed.InvalidRequest] ${error.message}\nRun with --help for usage.\n`);
    return 2;
  }
  return exitCode;
}

function groupCommands(commands: readonly RegisteredCommand[]): Map<string, RegisteredCommand[]> {
  const groups = new Map<string, RegisteredCommand[]>();
  for (const command of commands) {
    const dot = command.name.indexOf('.');
    const group = dot < 0 ? '' : command.name.slice(0, dot);
    groups.set(group, [...(groups.get(group) ?? []), command]);
  }
  return groups;
}

function addCommand(parser: Argv, command: RegisteredCommand, verb: string, setExit: (code: number) => void): void {
  // yargs calls the builder only for the command that runs: the other commands' flags are never made.
  let flags: FlagSpec[] | undefined;
  const flagsOf = (): FlagSpec[] => (flags ??= flagsFromSchema(flattenSchema(schemaById(command.paramsSchemaId)), command.secretParams));
  const cmdletNote = command.cmdlet === undefined ? '' : ` (PowerShell: ${command.cmdlet})`;
  parser.command(
    verb,
    `${command.summary}${cmdletNote}`,
    (y) => {
      for (const spec of flagsOf()) defineFlag(y, spec);
      return y.strict();
    },
    async (argv) => {
      setExit(await invoke(command, flagsOf(), argv as Record<string, unknown>));
    },
  );
}

function defineFlag(y: Argv, spec: FlagSpec): void {
  if (spec.secret) {
    if (spec.fileFlag === undefined) return; // the command's own file parameter takes that flag
    y.option(spec.fileFlag, {
      type: 'string',
      describe: `File whose first line is the ${spec.param} (or set ${secretEnvName(spec.param)}; prompted on a terminal).`,
    });
    return;
  }
  const base = { describe: spec.description, demandOption: spec.required };
  switch (spec.type) {
    case 'array':
      y.option(spec.flag, { ...base, type: 'string', array: true });
      break;
    case 'json':
      y.option(spec.flag, { ...base, type: 'string', describe: `${spec.description} (JSON, or @file)` });
      break;
    default:
      y.option(spec.flag, { ...base, type: spec.type, ...(spec.choices === undefined ? {} : { choices: spec.choices }) });
  }
}

async function invoke(command: RegisteredCommand, flags: readonly FlagSpec[], argv: Record<string, unknown>): Promise<number> {
  const params = paramsFromFlags(flags, argv, (p) => readFileSync(p, 'utf8'));
  for (const spec of flags.filter((f) => f.secret)) {
    const secret = await readSecret(spec, argv);
    if (secret !== undefined) params[spec.param] = secret;
  }
  const request = { protocol: 1, command: command.name, params, dryRun: argv['dry-run'] === true };
  const events: EventSink = argv.json === true
    ? createEventSink((line) => void process.stdout.write(line))
    : createHumanSink({
        verbose: argv.verbose === true,
        isTty: process.stderr.isTTY === true,
        out: (t) => void process.stdout.write(t),
        err: (t) => void process.stderr.write(t),
      });
  const cancellation = new Cancellation();
  const onSignal = (): void => cancellation.cancel('signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runRequest(JSON.stringify(request), { events, stderr: (t) => void process.stderr.write(t) }, cancellation);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
