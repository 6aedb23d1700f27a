/**
 * offlineseed-engine: `--json` speaks the NDJSON protocol (what the PowerShell module uses);
 * anything else is the human CLI built from the same command table.
 */
// Each way in loads only its own code: a --json run (every cmdlet call) does not compile yargs.

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--json') {
    const requestIndex = argv.indexOf('--request');
    const requestFile = requestIndex >= 0 ? argv[requestIndex + 1] : undefined;
    const { runStdioSession } = await import('./protocol/stdioSession.ts');
    return runStdioSession(requestFile === undefined ? {} : { requestFile });
  }
  if (argv[0] === 'dsc') return runDscEntry(argv.slice(1));
  // For people: a closed pipe (`… | head`) ends the run quietly. (--json treats it as a cancel.)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  const { runCli } = await import('./cli/cli.ts');
  return runCli(argv);
}

/** DSC v3 command resources: state lines on stdout, DSC trace lines on stderr (engine/dsc/dscCli.ts). */
async function runDscEntry(argv: string[]): Promise<number> {
  const [{ readAllStdin, runDsc }, { Cancellation }] = await Promise.all([import('./dsc/dscCli.ts'), import('./protocol/cancellation.ts')]);
  const cancellation = new Cancellation();
  const onSignal = (): void => cancellation.cancel('signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return runDsc(argv, {
    readInput: readAllStdin,
    stdout: (line) => void process.stdout.write(line),
    stderr: (line) => void process.stderr.write(line),
    now: () => new Date(),
  }, cancellation);
}

main(process.argv.slice(2)).then(
  (code) => {
    // Flush stdout before exiting; worker threads or sockets must not keep a finished run alive.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
