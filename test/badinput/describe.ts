/** The command list as the built engine describes it: the suite covers whatever the registry holds. */
import type { DescribedCommand, ParamsSchema } from './generate.ts';
import { refusalProblems, request, runRaw } from './harness.ts';

export async function describedCommands(): Promise<DescribedCommand[]> {
  const run = await runRaw(request('describe', {}), { command: 'describe' });
  if (run.exitCode !== 0 || run.invalidLines.length > 0) throw new Error(`describe failed: ${refusalProblems(run, { exitCode: 0 }).join('; ')}`);
  return run.events.filter((e) => e.type === 'result').map((e) => {
    const data = e.data as { command: string; params: ParamsSchema };
    const props = data.params.properties ?? {};
    return { command: data.command, params: data.params, secretParams: Object.keys(props).filter((k) => props[k]!['x-secret'] === true) };
  });
}
