/**
 * The serial number of the disk that holds a drive root, for the drive id when none is given.
 * Linux: the block device of the mount (st_dev) -> its whole disk in /sys/dev/block -> the udev
 * database's ID_SERIAL_SHORT, else the device's sysfs serial, else the /dev/disk/by-id link name.
 * Best effort: undefined when nothing names the disk (virtual disks often have no serial).
 * Windows: Initialize-OfflineSeedDrive reads the serial with the Storage cmdlets and passes driveId.
 */
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';

export async function detectDriveSerial(driveRoot: string): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const dev = (await fs.stat(driveRoot, { bigint: true })).dev;
    // glibc's gnu_dev_major / gnu_dev_minor
    const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
    const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
    const sysPath = await fs.realpath(`/sys/dev/block/${major}:${minor}`);
    // A partition's folder sits inside its disk's folder; the disk has a "device" link.
    let disk = sysPath;
    try {
      await fs.access(join(sysPath, 'partition'));
      disk = join(sysPath, '..');
    } catch {
      // sysPath is the whole disk
    }
    const devNumbers = (await fs.readFile(join(disk, 'dev'), 'utf8')).trim();
    const fromUdev = await readUdevSerial(devNumbers);
    if (fromUdev !== undefined) return fromUdev;
    for (const candidate of ['device/serial', 'device/vpd_pg80']) {
      try {
        const text = (await fs.readFile(join(disk, candidate), 'latin1')).replace(/[^\x21-\x7e]/g, '').trim();
        if (text !== '') return text;
      } catch {
        // not there
      }
    }
    const diskName = basename(await fs.realpath(disk));
    for (const link of await fs.readdir('/dev/disk/by-id').catch(() => [] as string[])) {
      if (link.includes('-part') || link.startsWith('wwn-')) continue;
      const target = basename(await fs.realpath(join('/dev/disk/by-id', link)).catch(() => ''));
      if (target === diskName) return link.replace(/^(ata|scsi|usb|nvme|virtio)-[0-9]*-?/, '');
    }
  } catch {
    return undefined;
  }
  return undefined;
}

async function readUdevSerial(devNumbers: string): Promise<string | undefined> {
  try {
    const text = await fs.readFile(`/run/udev/data/b${devNumbers}`, 'utf8');
    return /^E:ID_SERIAL_SHORT=(.+)$/m.exec(text)?.[1]?.trim() || /^E:ID_SERIAL=(.+)$/m.exec(text)?.[1]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A serial as a drive id: characters the job and file names accept. */
export function driveIdFromSerial(serial: string): string {
  return serial.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
}
