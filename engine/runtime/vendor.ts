/**
 * The Azure SDK in a built engine. The build leaves it out of the main bundle (engine.cjs) and puts it
 * in vendor.cjs: inside the single executable as a SEA asset, beside engine.cjs otherwise. Every engine
 * start parses the main bundle, and most commands (staging, drives, local backup and restore) never
 * touch Azure; the first Azure command loads vendor.cjs, once.
 * The build's import of `@azure/x` becomes `vendorModule('@azure/x')` (build/build.ts); from the
 * TypeScript sources the SDK loads from node_modules as usual and this file is not used.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAsset, isSea } from 'node:sea';
import { compileFunction } from 'node:vm';

/** The asset's name in the executable and the file's name beside engine.cjs. */
export const VENDOR_FILE = 'vendor.cjs';

let packages: Record<string, unknown> | undefined;

export function vendorModule(name: string): unknown {
  packages ??= loadVendor();
  if (!(name in packages)) throw new Error(`${name} is not in ${VENDOR_FILE}: rebuild the engine (npm run build)`);
  return packages[name];
}

function loadVendor(): Record<string, unknown> {
  // `require` and `__dirname` are the bundle's own (engine.cjs is CommonJS); in a single executable
  // `require` loads built-in modules only, which is all the vendor bundle asks for.
  const source = isSea() ? getAsset(VENDOR_FILE, 'utf8') : readFileSync(join(__dirname, VENDOR_FILE), 'utf8');
  const module = { exports: {} as Record<string, unknown> };
  const run = compileFunction(source, ['module', 'exports', 'require', '__filename', '__dirname'], { filename: join(__dirname, VENDOR_FILE) });
  run(module, module.exports, require, join(__dirname, VENDOR_FILE), __dirname);
  return module.exports;
}
