/**
 * offlineseed.json in the staging location: where the seed stands in the workflow and what it is for
 * (job, storage account, container, prefix). No secrets, ever. Written atomically.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';

export const DESCRIPTOR_FILE = 'offlineseed.json';
export const REPOSITORY_FOLDER = 'repository';

export type SeedState = 'Staging' | 'Staged' | 'DrivesPrepared' | 'JobCreated' | 'Shipped' | 'Imported' | 'Completed';

export interface SeedDescriptor {
  formatVersion: 1;
  jobName: string;
  state: SeedState;
  /** Relative to the staging location. */
  repository: string;
  sources: string[];
  excludes: string[];
  subscriptionId?: string;
  resourceGroup?: string;
  storageAccount: string;
  container: string;
  prefix: string;
  snapshotId?: string;
  createdAt: string;
  updatedAt: string;
  stage?: { files: number; bytesRead: number; bytesStored: number; durationSeconds: number };
  /** How the seed was staged, so a resume (Get-OfflineSeed | Start-OfflineSeed) stages the same content. */
  settings?: { hostname?: string; tags?: string[]; compression?: string; packSizeMiB?: number; threads?: number };
  /** Later steps (drives, job, shipping, completion) add their own members. */
  [extension: string]: unknown;
}

export function descriptorPath(stagingPath: string): string {
  return join(stagingPath, DESCRIPTOR_FILE);
}

/** The seed in stagingPath; OfflineSeed.SeedNotFound when there is none. */
export async function requireDescriptor(stagingPath: string): Promise<SeedDescriptor> {
  const descriptor = await readDescriptor(stagingPath);
  if (descriptor === undefined) {
    throw new OfflineSeedError('OfflineSeed.SeedNotFound', 'ObjectNotFound', `no seed in ${stagingPath} (no offlineseed.json)`, {
      targetObject: stagingPath,
      recommendedAction: 'Give the staging location that Start-OfflineSeed wrote to.',
    });
  }
  return descriptor;
}

export async function readDescriptor(stagingPath: string): Promise<SeedDescriptor | undefined> {
  let text: string;
  try {
    text = await fs.readFile(descriptorPath(stagingPath), 'utf8');
  } catch (error) {
    // ENOTDIR: the staging path is a file, so it holds no seed either.
    if (['ENOENT', 'ENOTDIR'].includes(String((error as NodeJS.ErrnoException).code))) return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as SeedDescriptor;
    if (value.formatVersion !== 1 || typeof value.jobName !== 'string') throw new Error('unknown format');
    return value;
  } catch {
    throw new OfflineSeedError('OfflineSeed.DescriptorCorrupt', 'InvalidData', `${descriptorPath(stagingPath)} is not a valid seed descriptor`, {
      targetObject: descriptorPath(stagingPath),
      recommendedAction: 'Restore the file from a copy, or stage into a new location.',
    });
  }
}

export async function writeDescriptor(stagingPath: string, descriptor: SeedDescriptor): Promise<void> {
  const target = descriptorPath(stagingPath);
  const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.open(temp, 'wx', 0o644);
  try {
    await fh.writeFile(JSON.stringify({ ...descriptor, updatedAt: new Date().toISOString() }, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(temp, target);
}

export function nextStepFor(state: SeedState): string {
  switch (state) {
    case 'Staging': return 'Staging was interrupted: run Start-OfflineSeed again with the same arguments to resume.';
    case 'Staged': return 'Prepare the shipping drives: Initialize-OfflineSeedDrive.';
    case 'DrivesPrepared': return 'Create the import job: New-OfflineSeedImportJob.';
    case 'JobCreated': return 'Ship the drives and record the tracking number: Update-ImportShipping.';
    case 'Shipped': return 'Wait for the import: Get-ImportJobStatus.';
    case 'Imported': return 'Verify and repair the container: Complete-OfflineSeed.';
    case 'Completed': return 'Run incremental backups: Backup-OfflineSeed.';
  }
}
