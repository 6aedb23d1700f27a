/**
 * OfflineSeed/ImportJob: "the import job exists and its drives are shipped with this tracking number".
 *
 *   get     job.status (without reading drive logs): the job's state and delivery package, or
 *           _exist false when the service answers 404
 *   test    the job exists, and carrierName / trackingNumber (when given) are the recorded ones
 *   set     job.ship with the desired carrier and tracking number (stagingPath or seedUri: the seed's
 *           records are updated where they live), then get again; a job that does not exist is an
 *           error: creating one needs the drives and the password (New-OfflineSeedImportJob)
 *   export  the job named by the input, when it exists
 */
import { OfflineSeedError } from '../protocol/errors.ts';
import { AZURE_ACCESS_PROPERTIES, instanceSchema, paramProperties } from './schema.ts';
import { errorOf, pick, runOrThrow, type DscContext, type DscResource, type Instance } from './resource.ts';
import { runCommand } from './runCommand.ts';

const TARGET = ['stagingPath', 'seedUri', 'jobName', 'subscriptionId', 'resourceGroup', 'publishSettingsFile', 'controlPlane'] as const;
const SHIPMENT = ['carrierName', 'trackingNumber', 'driveCount', 'shipDate'] as const;
const ACCESS = AZURE_ACCESS_PROPERTIES;

interface StatusResult {
  jobName: string;
  resourceGroup: string;
  subscriptionId: string;
  state: string;
  serviceState: string;
  controlPlane: string;
  stagingPath?: string;
  seedUri?: string;
  seedState?: string;
  deliveryPackage?: { carrierName?: string; trackingNumber?: string; driveCount?: number; shipDate?: string };
}

const NOT_FOUND = new Set(['OfflineSeed.ImportExportResourceNotFound', 'OfflineSeed.DataBoxResourceNotFound']);

function same(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
}

async function getState(input: Instance, context: DscContext): Promise<Instance> {
  const identity = pick(input, TARGET);
  const outcome = await runCommand('job.status', { ...identity, ...pick(input, ACCESS), readLogs: false }, context.log, context.cancellation);
  if (outcome.exitCode !== 0) {
    if (NOT_FOUND.has(outcome.error?.errorId ?? '')) return { ...pick(input, ['stagingPath', 'seedUri', 'jobName', 'subscriptionId', 'resourceGroup']), _exist: false };
    throw errorOf(outcome);
  }
  const status = outcome.results[0] as unknown as StatusResult;
  const shipped = status.deliveryPackage?.trackingNumber !== undefined && status.deliveryPackage.trackingNumber !== '';
  return {
    ...(status.stagingPath === undefined ? {} : { stagingPath: status.stagingPath }),
    ...(status.seedUri === undefined ? {} : { seedUri: status.seedUri }),
    jobName: status.jobName,
    subscriptionId: status.subscriptionId,
    resourceGroup: status.resourceGroup,
    controlPlane: status.controlPlane,
    state: status.state,
    serviceState: status.serviceState,
    shipped,
    ...(shipped ? { carrierName: status.deliveryPackage!.carrierName ?? '', trackingNumber: status.deliveryPackage!.trackingNumber! } : {}),
    ...(status.deliveryPackage?.driveCount === undefined ? {} : { driveCount: status.deliveryPackage.driveCount }),
    ...(status.deliveryPackage?.shipDate === undefined ? {} : { shipDate: status.deliveryPackage.shipDate.slice(0, 10) }),
    ...(status.seedState === undefined ? {} : { seedState: status.seedState }),
    _exist: true,
  };
}

function differences(desired: Instance, actual: Instance): string[] {
  if (actual._exist !== true) return ['_exist'];
  const diff: string[] = [];
  for (const name of ['carrierName', 'trackingNumber'] as const) {
    if (desired[name] !== undefined && !same(desired[name], actual[name])) diff.push(name);
  }
  return diff;
}

export const importJobResource: DscResource = {
  type: 'OfflineSeed/ImportJob',
  description: 'The import job (Data Box customer disk or Import/Export) of an OfflineSeed seed: it exists, and its drives are shipped with the given carrier and tracking number.',
  schema: () => instanceSchema(
    'OfflineSeed/ImportJob',
    'The import job of a seed. Give stagingPath (the seed names the job), seedUri (the seed published with Publish-OfflineSeed, for a node with no staging location), or jobName, resourceGroup and subscriptionId. set records the shipment (Update-ImportShipping), which needs stagingPath or seedUri. Azure access: a service principal certificate (tenantId, clientId, clientCertificatePath) or, without them, DefaultAzureCredential (managed identity, environment, Azure CLI).',
    {
      ...paramProperties('job.ship', [...TARGET, ...SHIPMENT]),
      ...paramProperties('job.status', [...ACCESS]),
      state: { type: 'string', readOnly: true, description: 'The job state in OfflineSeed\'s words, the same on both control planes (Created, Shipping, Received, Transferring, Packaging, Completed, CompletedWithErrors, Cancelled, Failed, Deleted).' },
      serviceState: { type: 'string', readOnly: true, description: 'The state as the service names it (Import/Export: Creating, Shipping, ...; Data Box: AwaitingShipmentDetails, ShippedToAzureDC, ...).' },
      shipped: { type: 'boolean', readOnly: true, description: 'Whether a delivery package (carrier and tracking number) is recorded.' },
      seedState: { type: 'string', readOnly: true, description: 'The seed\'s state in offlineseed.json, when stagingPath or seedUri is given.' },
    },
    [],
  ),
  get: (input, context) => getState(input, context),
  async test(input, context) {
    const actual = await getState(input, context);
    const diff = differences(input, actual);
    return { state: { ...actual, _inDesiredState: diff.length === 0 }, diff };
  },
  async set(input, context) {
    const before = await getState(input, context);
    if (before._exist !== true) {
      const name = String(input.jobName ?? before.jobName ?? 'of this seed');
      throw new OfflineSeedError('OfflineSeed.DscImportJobMissing', 'ObjectNotFound', `import job ${name} does not exist; DSC does not create import jobs`, {
        recommendedAction: 'Create the job with New-OfflineSeedImportJob (it needs the drive journals of the prepared drives), then apply the configuration again.',
      });
    }
    const diff = differences(input, before);
    if (diff.length === 0) return { state: before, diff: [] };
    if (input.trackingNumber === undefined || input.carrierName === undefined) {
      throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', 'set: carrierName and trackingNumber are both needed to record a shipment', { targetObject: 'trackingNumber' });
    }
    await runOrThrow('job.ship', { ...pick(input, TARGET), ...pick(input, SHIPMENT), ...pick(input, ACCESS) }, context);
    const after = await getState(input, context);
    const changed = ['carrierName', 'trackingNumber', 'state', 'shipped', 'driveCount', 'shipDate'].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
    return { state: after, diff: changed };
  },
  async export(input, context) {
    const state = await getState(input, context);
    return state._exist === true ? [state] : [];
  },
};
