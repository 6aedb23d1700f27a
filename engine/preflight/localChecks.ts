/**
 * The local checks as pure functions of probed facts (localFacts.ts probes them on Linux; on Windows
 * Test-OfflineSeedPrerequisite reads them with the Storage and BitLocker cmdlets and passes them in),
 * so every rule is unit-tested on any platform, the Windows rules included.
 */
import { fail, formatBytes, pass, warn, type CheckResult } from './check.ts';

/** The service's largest drive (reference §4.4: "drives up to 10 TB supported"), decimal as drives are sold. */
export const MAX_DRIVE_BYTES = 10 * 1000 ** 4;
/** Room the seed needs beyond its data: indexes, snapshots, packs' headers, and a margin. */
export const SEED_OVERHEAD_RATIO = 0.02;
export const SEED_OVERHEAD_MIN_BYTES = 64 * 1024 * 1024;

export interface StagingFacts {
  path: string;
  platform: NodeJS.Platform;
  /** The path exists and is a directory; or only its parent does (it will be created). */
  exists: 'directory' | 'parent' | 'file' | 'missing';
  /** Whether a test file could be created and removed, and why not. */
  writable?: boolean;
  writeError?: string;
  freeBytes?: number;
}

export interface SeedEstimate {
  bytes: number;
  /** "given" (estimatedBytes), or "scanned" (sources), "partial" when the scan ran out of time. */
  source: 'given' | 'scanned' | 'partial';
  files?: number;
}

export function isUncPath(path: string): boolean {
  return /^(\\\\|\/\/)[^\\/]+[\\/][^\\/]+/.test(path);
}

export function stagingReachable(f: StagingFacts): CheckResult {
  const unc = isUncPath(f.path);
  if (unc && f.platform !== 'win32' && f.exists === 'missing') {
    return fail('Staging', 'StagingReachable', f.path, 'a UNC path (\\\\server\\share) is reachable by that name only on Windows',
      'On Linux or macOS mount the share first (mount -t cifs //server/share /mnt/staging) and give the mount point.');
  }
  switch (f.exists) {
    case 'directory':
      return pass('Staging', 'StagingReachable', f.path, unc ? 'the network share is reachable' : 'the folder exists');
    case 'parent':
      return pass('Staging', 'StagingReachable', f.path, 'the folder does not exist yet; its parent does, so Start-OfflineSeed creates it');
    case 'file':
      return fail('Staging', 'StagingReachable', f.path, 'it is a file, not a folder', 'Give a folder (new or empty) as the staging location.');
    default:
      return fail('Staging', 'StagingReachable', f.path, unc ? 'the share or its folder cannot be reached' : 'neither the folder nor its parent exists',
        unc ? 'Check the server and share names, the network and your access to the share (Test-Path \\\\server\\share).' : 'Create the parent folder, or give another staging location.');
  }
}

export function stagingWritable(f: StagingFacts): CheckResult {
  if (f.exists === 'missing' || f.exists === 'file') {
    return fail('Staging', 'StagingWritable', f.path, 'not checked: the staging location is not reachable', 'Fix StagingReachable first.');
  }
  if (f.writable === true) return pass('Staging', 'StagingWritable', f.path, 'a test file was written and removed');
  return fail('Staging', 'StagingWritable', f.path, `a test file could not be written: ${f.writeError ?? 'unknown error'}`,
    isUncPath(f.path)
      ? 'Give the account that runs the seeding (for a scheduled task, its account; for a computer account, DOMAIN\\COMPUTER$) Modify rights on the share and the folder.'
      : 'Give the account that runs the seeding write access to the folder, or choose another staging location.');
}

export function seedBytesNeeded(estimate: SeedEstimate): number {
  return Math.ceil(estimate.bytes * (1 + SEED_OVERHEAD_RATIO)) + SEED_OVERHEAD_MIN_BYTES;
}

export function stagingFreeSpace(f: StagingFacts, estimate: SeedEstimate | undefined): CheckResult {
  if (f.freeBytes === undefined) {
    return warn('Staging', 'StagingFreeSpace', f.path, 'the free space could not be read', 'Check the free space of the staging location yourself: it needs about the size of the data to back up.');
  }
  if (estimate === undefined) {
    return warn('Staging', 'StagingFreeSpace', f.path, `${formatBytes(f.freeBytes)} free; the size of the seed is unknown`,
      'Give -Source (the folders to seed, scanned quickly) or -EstimatedSeedBytes to compare the free space with the seed.');
  }
  const needed = seedBytesNeeded(estimate);
  const what = estimate.source === 'given' ? 'the estimated seed' : `the sources (${estimate.files ?? 0} files${estimate.source === 'partial' ? ' counted before the scan time ran out: at least' : ''})`;
  if (f.freeBytes < needed) {
    return fail('Staging', 'StagingFreeSpace', f.path, `${formatBytes(f.freeBytes)} free, but ${what} need ${formatBytes(needed)} (data + ${SEED_OVERHEAD_RATIO * 100}% + 64 MiB; compression may save some, but cannot be counted on)`,
      `Free ${formatBytes(needed - f.freeBytes)} on the staging volume, or choose a staging location with at least ${formatBytes(needed)} free.`);
  }
  if (estimate.source === 'partial') {
    return warn('Staging', 'StagingFreeSpace', f.path, `${formatBytes(f.freeBytes)} free; ${what} ${formatBytes(estimate.bytes)}, so the full seed may need more`,
      'Give -EstimatedSeedBytes (the size of the data) or a longer -ScanSeconds for a complete answer.');
  }
  if (f.freeBytes < needed * 1.1) {
    return warn('Staging', 'StagingFreeSpace', f.path, `${formatBytes(f.freeBytes)} free for ${formatBytes(needed)}: less than 10% to spare, and the data may grow before the seed is taken`,
      'Free more space, or choose a larger staging location.');
  }
  return pass('Staging', 'StagingFreeSpace', f.path, `${formatBytes(f.freeBytes)} free for ${what} (${formatBytes(needed)} needed)`);
}

export interface ComputerFacts {
  platform: NodeJS.Platform;
  /** This computer is a virtual machine (Win32_ComputerSystem.Model; on Linux the DMI product name). */
  isVirtualMachine?: boolean;
  /** BitLocker Drive Encryption can be used here (Windows: the BitLocker cmdlets / manage-bde exist). */
  bitLockerAvailable?: boolean;
}

export interface DriveFacts {
  /** What the user named: E:, E:\ or a mount point / folder. */
  path: string;
  sizeBytes?: number;
  /** NTFS, ReFS, exFAT, FAT32, ext4, tmpfs, ... */
  fileSystem?: string;
  /** The disk holds the running system (Windows: IsSystem or IsBoot; Linux: the same disk as /). */
  isSystemDisk?: boolean;
  /** A virtual disk (VHD/VHDX, a hypervisor's disk): it cannot be shipped. */
  isVirtualDisk?: boolean;
  /** Windows BusType (USB, SATA, SAS, NVMe, File Backed Virtual, ...). */
  busType?: string;
  /** Where the facts came from: read here, or given by the caller (the PowerShell module on Windows). */
  source: 'probed' | 'given';
}

export function bitLockerAvailable(c: ComputerFacts): CheckResult {
  const target = 'this computer';
  if (c.platform !== 'win32') {
    return warn('Drive', 'BitLockerAvailable', target, `BitLocker runs only on Windows (this is ${c.platform}): the drives can be staged here, but not encrypted`,
      'Encrypt each drive on a Windows computer with BitLocker (Initialize-OfflineSeedDrive -DriveLetter E -Encrypt): the service accepts only BitLocker-encrypted drives.');
  }
  if (c.bitLockerAvailable === true) return pass('Drive', 'BitLockerAvailable', target, 'BitLocker Drive Encryption is available');
  if (c.bitLockerAvailable === false) {
    return fail('Drive', 'BitLockerAvailable', target, 'BitLocker Drive Encryption is not available on this computer (no BitLocker cmdlets or manage-bde)',
      'On Windows Server: Install-WindowsFeature BitLocker -IncludeAllSubFeature -IncludeManagementTools, then restart. On Windows client: use Pro, Enterprise or Education. Or prepare the drives on another computer.');
  }
  return warn('Drive', 'BitLockerAvailable', target, 'whether BitLocker is available was not determined', 'Run Test-OfflineSeedPrerequisite from the OfflineSeed PowerShell module, which checks it.');
}

export function driveChecks(d: DriveFacts, computer: ComputerFacts, sourceIsVirtualMachine: boolean | undefined): CheckResult[] {
  const results: CheckResult[] = [];
  const rehearsal = computer.platform !== 'win32' ? ' (a rehearsal drive here: shipping drives are prepared on Windows)' : '';

  if (d.sizeBytes === undefined) results.push(warn('Drive', 'DriveSize', d.path, 'the size could not be read', 'Check that the drive is connected and has a volume.'));
  else if (d.sizeBytes > MAX_DRIVE_BYTES * 1.001) {
    results.push(fail('Drive', 'DriveSize', d.path, `${formatBytes(d.sizeBytes)}: larger than the 10 TB the Import/Export service accepts per drive`,
      'Use drives of 10 TB or less (several drives per job are fine, up to 10).'));
  } else results.push(pass('Drive', 'DriveSize', d.path, `${formatBytes(d.sizeBytes)}, within the service's 10 TB per drive`));

  const fs = d.fileSystem?.toLowerCase();
  if (fs === undefined || fs === '' || fs === 'fuseblk') {
    results.push(warn('Drive', 'DriveFileSystem', d.path, `the file system could not be determined${fs === 'fuseblk' ? ' (a FUSE mount, perhaps ntfs-3g)' : ''}`,
      'Make sure the drive is formatted NTFS (Initialize-OfflineSeedDrive -Format formats it).'));
  } else if (fs === 'ntfs' || fs === 'ntfs3') {
    results.push(pass('Drive', 'DriveFileSystem', d.path, 'NTFS'));
  } else {
    results.push(fail('Drive', 'DriveFileSystem', d.path, `the file system is ${d.fileSystem}; the service reads only NTFS drives${rehearsal}`,
      'Format the drive NTFS: Initialize-OfflineSeedDrive -DriveLetter E -Format (this erases it).'));
  }

  if (d.isSystemDisk === true) {
    results.push(fail('Drive', 'DriveNotSystemDisk', d.path, `it is on the disk that holds the running system${rehearsal}`,
      'Connect a separate, empty drive for shipping: the system disk cannot be formatted or shipped.'));
  } else if (d.isSystemDisk === false) results.push(pass('Drive', 'DriveNotSystemDisk', d.path, 'not the system or boot disk'));
  else results.push(warn('Drive', 'DriveNotSystemDisk', d.path, 'whether it is the system disk could not be determined', 'Make sure the drive is not the disk Windows boots from.'));

  const vm = sourceIsVirtualMachine ?? computer.isVirtualMachine;
  if (d.isVirtualDisk === true) {
    results.push(fail('Drive', 'DriveNotVirtual', d.path,
      vm === true ? 'it is a virtual disk of this virtual machine: there is no physical drive to ship' : `it is a virtual disk (${d.busType ?? 'VHD or hypervisor disk'}), not a physical drive`,
      vm === true
        ? 'Prepare the drives on a physical computer that reaches the staging location (give its UNC path), or pass a physical disk through to the virtual machine.'
        : 'Use a physical drive (SATA, SAS or NVMe) that can be taken out and shipped.'));
  } else if (d.isVirtualDisk === false) {
    results.push(pass('Drive', 'DriveNotVirtual', d.path, `a physical drive${d.busType !== undefined ? ` (${d.busType})` : ''}`));
  } else if (vm === true) {
    results.push(warn('Drive', 'DriveNotVirtual', d.path, 'this computer is a virtual machine and it is not known whether the drive is a passed-through physical disk',
      'Make sure the drive is a physical disk passed through to the virtual machine, or prepare the drives on a physical computer.'));
  }

  if (d.busType !== undefined && /^usb$/i.test(d.busType)) {
    results.push(warn('Drive', 'DriveBus', d.path, 'the drive is connected by USB: the service does not accept drives in USB enclosures',
      'Copy through the enclosure if you must, but ship the bare 2.5" or 3.5" SATA/SAS drive (take it out of the enclosure).'));
  }
  return results;
}
