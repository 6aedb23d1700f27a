/**
 * The one ajv configuration for the engine's schemas, used twice: at run time in development
 * (compiledValidators.ts) and by the build, which turns the same schemas into standalone validator
 * code (build/validatorsModule.ts). One place, so both validate exactly alike.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { allSchemas } from './schemaStore.ts';

export function createSchemaCompiler(options: { standaloneCode: boolean }): Ajv2020 {
  // validateSchema off: checking every schema against the JSON Schema meta-schema compiles the
  // meta-schema first. The schemas are fixed at build time, and the tests' validator
  // (test/helpers/wire.ts) checks them all against the meta-schema.
  const ajv = new Ajv2020({
    allErrors: false,
    strict: true,
    useDefaults: false,
    validateSchema: false,
    ...(options.standaloneCode ? { code: { source: true, esm: true } } : {}),
  });
  // Annotations used by the CLI and the PowerShell generator; not validation keywords.
  ajv.addKeyword({ keyword: 'x-cli', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
  ajv.addKeyword({ keyword: 'x-cmdlet', schemaType: 'string' });
  for (const schema of Object.values(allSchemas())) ajv.addSchema(schema);
  return ajv;
}
