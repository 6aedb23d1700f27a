/**
 * The validator for each schema $id. Here ajv compiles them at first use; the bundled engine gets
 * another body for this module: build/validatorsModule.ts replaces it with ajv's standalone code for
 * the same schemas, compiled at build time, so no engine start spends 20-40 ms compiling schemas.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { createSchemaCompiler } from './schemaCompiler.ts';

let ajv: Ajv2020 | undefined;

export function validatorFor(schemaId: string): ValidateFunction | undefined {
  ajv ??= createSchemaCompiler({ standaloneCode: false });
  return ajv.getSchema(schemaId);
}
