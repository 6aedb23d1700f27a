/**
 * offlineseed-engine: `--json` speaks the NDJSON protocol (what the PowerShell module uses);
 * anything else is the human CLI built from the same command table.
 */
import { runCli } from './cli/cli.ts';
import { runStdioSession } from './protocol/stdioSession.ts';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--json') {
    const requestIndex = argv.indexOf('--request');
    const requestFile = requestIndex >= 0 ? argv[requestIndex + 1] : undefined;
    return runStdioSession(requestFile === undefined ? {} : { requestFile });
  }
  // For people: a closed pipe (`… | head`) ends the run quietly. (--json treats it as a cancel.)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  return runCli(argv);
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
