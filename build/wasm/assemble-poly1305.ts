/**
 * Assembles build/wasm/poly1305.wat into engine/repo/crypto/poly1305Wasm.generated.ts (base64 of the
 * .wasm bytes). The assembler, wabt.js, is not a project dependency: install it into a scratch folder
 * and pass that folder (default /tmp/wat-tools):
 *
 *   npm install --prefix /tmp/wat-tools wabt@1.0.39
 *   node_modules/.bin/node build/wasm/assemble-poly1305.ts /tmp/wat-tools
 *
 * Before writing, the new bytes must reproduce the RFC 8439 §2.5.2 tag, so a broken .wat never lands.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface WabtModule {
  resolveNames(): void;
  validate(): void;
  toBinary(options: { log?: boolean; write_debug_names?: boolean; canonicalize_lebs?: boolean }): { buffer: Uint8Array };
  destroy(): void;
}
interface Wabt {
  parseWat(filename: string, text: string, features?: Record<string, boolean>): WabtModule;
}
interface WabtPackage {
  default: () => Promise<Wabt>;
}
/** The part of the WebAssembly global used here (tsconfig's lib has no WebAssembly declarations). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: object };
}
interface Poly1305Exports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  init(): void;
  blocks(pointer: number, length: number, hibit: number): void;
  finish(): void;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const watPath = join(root, 'build/wasm/poly1305.wat');
const outPath = join(root, 'engine/repo/crypto/poly1305Wasm.generated.ts');
const toolDir = process.argv[2] ?? process.env.WAT_TOOLS ?? '/tmp/wat-tools';
const SIZE_LIMIT = 20 * 1024;

const imported = (await import(pathToFileURL(join(toolDir, 'node_modules/wabt/index.js')).href)) as WabtPackage;
const wabt = await imported.default();
const parsed = wabt.parseWat('poly1305.wat', readFileSync(watPath, 'utf8'), { bulk_memory: true });
parsed.resolveNames();
parsed.validate();
const bytes = parsed.toBinary({ log: false, write_debug_names: false, canonicalize_lebs: true }).buffer;
parsed.destroy();

function selfTest(wasm: Uint8Array): void {
  const webAssembly = Reflect.get(globalThis, 'WebAssembly') as WebAssemblyApi;
  const instance = new webAssembly.Instance(new webAssembly.Module(wasm));
  const exports = instance.exports as unknown as Poly1305Exports;
  const memory = new Uint8Array(exports.memory.buffer);
  const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
  const message = Buffer.from('Cryptographic Forum Research Group');
  memory.set(key, 0);
  exports.init();
  const whole = message.length & ~15;
  memory.set(message.subarray(0, whole), 1024);
  exports.blocks(1024, whole, 1 << 24);
  memory.fill(0, 1024, 1040);
  memory.set(message.subarray(whole), 1024);
  memory[1024 + message.length - whole] = 1;
  exports.blocks(1024, 16, 0);
  exports.finish();
  const tag = Buffer.from(memory.subarray(32, 48)).toString('hex');
  if (tag !== 'a8061dc1305136c6c22b8baf0c0127a9') throw new Error(`assembled module fails RFC 8439 §2.5.2: got ${tag}`);
}
selfTest(bytes);

const base64 = Buffer.from(bytes).toString('base64');
const lines = base64.match(/.{1,100}/g) ?? [];
const source = `// GENERATED from build/wasm/poly1305.wat (${bytes.length} bytes of WebAssembly); do not edit by hand.
// Regenerate:
//   npm install --prefix /tmp/wat-tools wabt@1.0.39
//   node_modules/.bin/node build/wasm/assemble-poly1305.ts /tmp/wat-tools
export const poly1305WasmBase64 =
${lines.map((line) => `  '${line}'`).join(' +\n')};
`;
if (source.length > SIZE_LIMIT) throw new Error(`generated module is ${source.length} bytes, over ${SIZE_LIMIT}`);
writeFileSync(outPath, source);
process.stdout.write(`wrote ${outPath}: ${bytes.length} wasm bytes, ${source.length} bytes of TypeScript\n`);
