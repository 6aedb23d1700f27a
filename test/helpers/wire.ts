/**
 * The test side of the wire: an independent ajv instance over schemas/ that checks every event that
 * crosses stdout, and every result's data against its command's result schema.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readSchemaDirectory, schemaDirectory } from '../../engine/protocol/schemaStore.ts';

const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addKeyword({ keyword: 'x-cli', schemaType: 'object' });
ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
ajv.addKeyword({ keyword: 'x-cmdlet', schemaType: 'string' });
for (const schema of Object.values(readSchemaDirectory(schemaDirectory()))) ajv.addSchema(schema);

export type WireEvent = { type: string; [key: string]: unknown };

/** Throws with the ajv errors if the event does not match its schema. */
export function assertValidEvent(event: WireEvent, command?: string): void {
  const validateEvent = ajv.getSchema(`urn:offlineseed:event:${event.type}`);
  if (validateEvent === undefined) throw new Error(`unknown event type ${event.type}: ${JSON.stringify(event)}`);
  if (!validateEvent(event)) throw new Error(`invalid ${event.type} event ${JSON.stringify(event)}: ${ajv.errorsText(validateEvent.errors)}`);
  if (event.type === 'result' && command !== undefined) {
    const validateResult = ajv.getSchema(`urn:offlineseed:command:${command}:result`);
    if (validateResult === undefined) throw new Error(`no result schema for ${command}`);
    if (!validateResult(event.data)) throw new Error(`invalid ${command} result ${JSON.stringify(event.data)}: ${ajv.errorsText(validateResult.errors)}`);
  }
}

export function assertValidRequest(request: unknown): void {
  const validate = ajv.getSchema('urn:offlineseed:request')!;
  if (!validate(request)) throw new Error(`invalid request: ${ajv.errorsText(validate.errors)}`);
  const r = request as { command: string; params: unknown };
  const validateParams = ajv.getSchema(`urn:offlineseed:command:${r.command}:params`);
  if (validateParams === undefined || !validateParams(r.params)) throw new Error(`invalid params for ${r.command}: ${ajv.errorsText(validateParams?.errors)}`);
}
