/** ajv (JSON Schema 2020-12) over every schema in schemas/, with messages that name the offending field. */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { validatorFor } from './compiledValidators.ts';

export interface ValidationOutcome {
  valid: boolean;
  /** Human message naming the field, e.g. "params.sources: must be array". */
  message?: string;
  /** Dotted path of the offending field. */
  field?: string;
}

export function validate(schemaId: string, value: unknown, rootName = ''): ValidationOutcome {
  const fn = validatorFor(schemaId);
  if (fn === undefined) throw new Error(`no schema with $id ${schemaId}`);
  if (fn(value)) return { valid: true };
  const error = (fn.errors ?? [])[0];
  return error === undefined ? { valid: false, message: 'invalid' } : describeError(error, rootName);
}

function describeError(error: ErrorObject, rootName: string): ValidationOutcome {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const base = [rootName, ...segments].filter((s) => s !== '').join('.');
  const join = (name: string): string => (base === '' ? name : `${base}.${name}`);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = join(String(p.additionalProperty ?? p.unevaluatedProperty));
      return { valid: false, field, message: `${field}: unknown field` };
    }
    case 'required': {
      const field = join(String(p.missingProperty));
      return { valid: false, field, message: `${field}: required field is missing` };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { valid: false, field: base, message: `${base || 'value'}: must be one of ${allowed}` };
    }
    default:
      return { valid: false, field: base, message: `${base || 'value'}: ${error.message ?? 'is invalid'}` };
  }
}
