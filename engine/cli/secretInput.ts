/**
 * Secrets for the CLI: from OFFLINESEED_<NAME> in the environment, from --<flag>-file, or typed at a
 * terminal prompt with echo off. Never from a flag value: command lines are visible to every user.
 */
import { readFileSync } from 'node:fs';
import type { FlagSpec } from './flagsFromSchema.ts';

export function secretEnvName(param: string): string {
  return `OFFLINESEED_${param.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export async function readSecret(spec: FlagSpec, argv: Record<string, unknown>): Promise<string | undefined> {
  const file = spec.fileFlag === undefined ? undefined : argv[spec.fileFlag];
  if (typeof file === 'string') return readFileSync(file, 'utf8').split(/\r?\n/)[0];
  const fromEnv = process.env[secretEnvName(spec.param)];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (spec.required && process.stdin.isTTY && process.stderr.isTTY) return promptHidden(`${spec.flag}: `);
  return undefined;
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    process.stderr.write(question);
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const onData = (ch: string): void => {
      for (const c of ch) {
        if (c === '\r' || c === '\n' || c === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (c === '\u0003') process.exit(3);
        if (c === '\u007f') value = value.slice(0, -1);
        else value += c;
      }
    };
    stdin.on('data', onData);
  });
}
