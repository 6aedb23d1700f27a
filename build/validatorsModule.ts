/**
 * The body the bundled engine gets for engine/protocol/compiledValidators.ts: ajv's standalone code
 * for every schema in schemas/, compiled here once instead of at every engine start. It exports the
 * same `validatorFor(schemaId)` as the development module, from the same ajv configuration.
 */
import type { Plugin } from 'esbuild';
import * as esbuild from 'esbuild';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { createSchemaCompiler } from '../engine/protocol/schemaCompiler.ts';
import { allSchemas } from '../engine/protocol/schemaStore.ts';

type StandaloneCode = (ajv: unknown, refsOrFunctions: Record<string, string>) => string;

export async function generateValidatorsModule(): Promise<string> {
  const ajv = createSchemaCompiler({ standaloneCode: true });
  const ids = Object.values(allSchemas()).map((s) => s.$id).filter((id): id is string => typeof id === 'string');
  const exportNames = Object.fromEntries(ids.map((id, i) => [`validator${i}`, id]));
  const code = (standaloneCode as unknown as StandaloneCode)(ajv, exportNames);
  const table = ids.map((id, i) => `  ${JSON.stringify(id)}: validator${i},`).join('\n');
  const module = `${code}\nconst validators = {\n${table}\n};\nexport function validatorFor(schemaId) {\n  return Object.hasOwn(validators, schemaId) ? validators[schemaId] : undefined;\n}\n`;
  // Generated code: minified, since every start parses it (about a third of its size).
  return (await esbuild.transform(module, { loader: 'js', format: 'esm', minify: true, target: 'node24' })).code;
}

/** An esbuild plugin that swaps compiledValidators.ts for the generated module. */
export function precompiledValidators(contents: string, resolveDir: string): Plugin {
  return {
    name: 'offlineseed-precompiled-validators',
    setup(build) {
      build.onLoad({ filter: /[\\/]engine[\\/]protocol[\\/]compiledValidators\.ts$/ }, () => ({ contents, loader: 'js', resolveDir }));
    },
  };
}
