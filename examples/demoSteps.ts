/**
 * The demo's workflow steps, each in its two forms: the engine CLI's arguments and the PowerShell
 * cmdlet call (name and parameters) that does the same. examples/demo.ts runs one form or the other;
 * test/examples/demoSteps.test.ts checks every cmdlet form against the module's files, so the cmdlet
 * path stays right on machines without pwsh.
 */
import { join } from 'node:path';

/** A SecureString the cmdlet script builds from this environment variable (never on a command line). */
export interface SecretFromEnv {
  secretFromEnv: string;
}

/** string/number: a value; true: a switch; false: `-Name:$false`; a record: a hashtable. */
export type CmdletValue = string | number | boolean | SecretFromEnv | Readonly<Record<string, string>>;

export interface CmdletCall {
  name: string;
  params: Readonly<Record<string, CmdletValue>>;
}

export interface DemoStep {
  /** The engine CLI's arguments (the secrets come from OFFLINESEED_<NAME> in its environment). */
  cli: string[];
  cmdlet: CmdletCall;
  /** Secrets of this step by engine parameter name (bitLockerKey); the password is global. */
  secrets?: Readonly<Record<string, string>>;
  /** Talks to the (emulated) cloud: runs with the world's environment. */
  cloud: boolean;
}

export interface DemoContext {
  work: string;
  source: string;
  staging: string;
  restored: string;
  jobName: string;
  subscriptionId: string;
  resourceGroupName: string;
  storageAccount: string;
  controlPlane: 'DataBox' | 'ImportExport';
}

export interface DriveInput {
  root: string;
  driveId: string;
  capacityBytes: number;
  bitLockerKey: string;
}

/** Environment variables that carry secrets into the cmdlet scripts. */
export const PASSWORD_ENV = 'OFFLINESEED_DEMO_PASSWORD';
export const BITLOCKER_KEY_ENV = 'OFFLINESEED_DEMO_BIT_LOCKER_KEY';

const password: SecretFromEnv = { secretFromEnv: PASSWORD_ENV };

const RETURN_ADDRESS = {
  recipientName: 'IT Operations', streetAddress1: '1 Main St', city: 'Redmond', stateOrProvince: 'WA', postalCode: '98052',
  countryOrRegion: 'USA', phone: '4250000000', email: 'ops@example.com',
};
const RETURN_SHIPPING = { carrierName: 'FedEx', carrierAccountNumber: '123456789' };

function pascal(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), v]));
}

/** The workflow in order; steps that depend on a value of the run take it as their argument. */
export function workflowSteps(c: DemoContext) {
  const repository = `azure://${c.storageAccount}/backups/fs01`;
  return {
    stage: (): DemoStep => ({
      cloud: false,
      cli: ['seed', 'start', '--source', c.source, '--staging', c.staging, '--job-name', c.jobName, '--subscription-id', c.subscriptionId, '--resource-group', c.resourceGroupName, '--storage-account', c.storageAccount, '--container', 'backups', '--prefix', 'fs01', '--pack-size-mib', '4'],
      cmdlet: { name: 'Start-OfflineSeed', params: { Path: c.source, StagingPath: c.staging, JobName: c.jobName, SubscriptionId: c.subscriptionId, ResourceGroupName: c.resourceGroupName, StorageAccountName: c.storageAccount, ContainerName: 'backups', BlobPrefix: 'fs01', PackSizeMiB: 4, Password: password, Confirm: false } },
    }),
    prepareDrive: (d: DriveInput): DemoStep => ({
      cloud: false,
      secrets: { bitLockerKey: d.bitLockerKey },
      cli: ['drive', 'prepare', '--staging', c.staging, '--drive', d.root, '--drive-id', d.driveId, '--capacity-bytes', String(d.capacityBytes)],
      cmdlet: { name: 'Initialize-OfflineSeedDrive', params: { StagingPath: c.staging, Path: d.root, DriveId: d.driveId, CapacityBytes: d.capacityBytes, BitLockerKey: { secretFromEnv: BITLOCKER_KEY_ENV }, Confirm: false } },
    }),
    createJob: (): DemoStep => ({
      cloud: true,
      cli: ['job', 'create', '--staging', c.staging, '--control-plane', c.controlPlane, '--location', 'West US', '--return-address', JSON.stringify(RETURN_ADDRESS), '--return-shipping', JSON.stringify(RETURN_SHIPPING), '--profile', join(c.work, 'profile.json')],
      cmdlet: { name: 'New-OfflineSeedImportJob', params: { StagingPath: c.staging, ControlPlane: c.controlPlane, Location: 'West US', ReturnAddress: pascal(RETURN_ADDRESS), ReturnCarrierName: RETURN_SHIPPING.carrierName, ReturnCarrierAccountNumber: RETURN_SHIPPING.carrierAccountNumber, ProfilePath: join(c.work, 'profile.json'), Confirm: false } },
    }),
    ship: (): DemoStep => ({
      cloud: true,
      cli: ['job', 'ship', '--staging', c.staging, '--carrier-name', 'FedEx', '--tracking-number', 'DEMO-123456'],
      cmdlet: { name: 'Update-ImportShipping', params: { StagingPath: c.staging, CarrierName: 'FedEx', TrackingNumber: 'DEMO-123456', Confirm: false } },
    }),
    status: (): DemoStep => ({
      cloud: true,
      cli: ['job', 'status', '--staging', c.staging],
      cmdlet: { name: 'Get-ImportJobStatus', params: { StagingPath: c.staging } },
    }),
    complete: (): DemoStep => ({
      cloud: true,
      cli: ['seed', 'complete', '--staging', c.staging, '--verify-percent', '100'],
      cmdlet: { name: 'Complete-OfflineSeed', params: { StagingPath: c.staging, Password: password, VerifyPercent: 100, Confirm: false } },
    }),
    backup: (): DemoStep => ({
      cloud: true,
      cli: ['backup', 'run', '--repo', repository, '--staging', c.staging],
      cmdlet: { name: 'Backup-OfflineSeed', params: { Repository: repository, StagingPath: c.staging, Password: password, Confirm: false } },
    }),
    restore: (): DemoStep => ({
      cloud: true,
      cli: ['restore', 'run', '--repo', repository, '--target', c.restored],
      cmdlet: { name: 'Restore-OfflineSeed', params: { Repository: repository, Password: password, TargetPath: c.restored, Confirm: false } },
    }),
    check: (): DemoStep => ({
      cloud: true,
      cli: ['repo', 'check', '--repo', repository, '--read-data'],
      cmdlet: { name: 'Test-OfflineSeed', params: { Repository: repository, Password: password, ReadData: true } },
    }),
  };
}

function psQuote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function isSecret(value: CmdletValue): value is SecretFromEnv {
  return typeof value === 'object' && 'secretFromEnv' in value;
}

/**
 * The PowerShell script of one cmdlet step: import the module, build the SecureStrings from the
 * environment, run the cmdlet (its Write-Progress and formatted output show on this terminal), and
 * write its output as JSON to the file named by $env:OFFLINESEED_DEMO_RESULT for the summary.
 */
export function cmdletScript(call: CmdletCall, manifest: string): string {
  const lines = ["$ErrorActionPreference = 'Stop'", `Import-Module ${psQuote(manifest)}`];
  const args: string[] = [];
  for (const [name, value] of Object.entries(call.params)) {
    if (isSecret(value)) {
      const variable = `$${name[0]!.toLowerCase()}${name.slice(1)}`;
      lines.push(`${variable} = ConvertTo-SecureString -String $env:${value.secretFromEnv} -AsPlainText -Force`);
      args.push(`-${name} ${variable}`);
    } else if (value === true) args.push(`-${name}`);
    else if (value === false) args.push(`-${name}:$false`);
    else if (typeof value === 'number') args.push(`-${name} ${value}`);
    else if (typeof value === 'string') args.push(`-${name} ${psQuote(value)}`);
    else args.push(`-${name} @{ ${Object.entries(value).map(([k, v]) => `${k} = ${psQuote(v)}`).join('; ')} }`);
  }
  lines.push(`$result = @(${call.name} ${args.join(' ')})`);
  lines.push('$result | Out-Host');
  lines.push('ConvertTo-Json -InputObject $result -Depth 8 -Compress | Set-Content -LiteralPath $env:OFFLINESEED_DEMO_RESULT -Encoding utf8');
  return lines.join('\n');
}
