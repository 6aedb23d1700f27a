/** Engine identity, inlined by the build (__OFFLINESEED_VERSION__) or read from package.json in development. */
import { readFileSync } from 'node:fs';
import { isSea } from 'node:sea';

declare const __OFFLINESEED_VERSION__: string | undefined;

export const PROTOCOL_VERSION = 1;
export const REPOSITORY_FORMAT_VERSION = 2;

export function engineVersion(): string {
  if (typeof __OFFLINESEED_VERSION__ !== 'undefined') return __OFFLINESEED_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function isSingleExecutable(): boolean {
  return isSea();
}
