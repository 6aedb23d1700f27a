/**
 * The scheduled backup as files: the key file (systemd: the repository password, mode 0600 in a 0700
 * folder), the systemd units, and where each goes by default. The Windows side (DPAPI key file, ACL,
 * Register-ScheduledTask) is the module's; the engine renders its XML.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, win32 } from 'node:path';
import { writePrivateFile } from '../drive/bitLocker.ts';
import { OfflineSeedError } from '../protocol/errors.ts';

export function configHome(): string {
  const xdg = process.env.XDG_CONFIG_HOME;
  return xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.config');
}

export function defaultUnitDirectory(): string {
  return join(configHome(), 'systemd', 'user');
}

export function defaultKeyFile(platform: 'windows' | 'systemd', taskName: string): string {
  if (platform === 'windows') return win32.join(process.env.ProgramData ?? 'C:\\ProgramData', 'OfflineSeed', 'Keys', `${taskName}.key`);
  return join(configHome(), 'offlineseed', 'keys', `${taskName}.key`);
}

/** Writes the password as the key file's only line: temp file created 0600, renamed into place; the folder 0700. */
export async function writePasswordKeyFile(path: string, password: string): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writePrivateFile(path, `${password}\n`);
}

/** A key file the task will read must exist and be readable by its owner only (as ssh insists). */
export async function checkKeyFile(path: string): Promise<void> {
  let mode: number;
  try {
    mode = (await fs.stat(path)).mode;
  } catch {
    throw new OfflineSeedError('OfflineSeed.KeyFileMissing', 'ObjectNotFound', `the key file ${path} does not exist`, {
      targetObject: path,
      recommendedAction: 'Give the repository password (-Password, or OFFLINESEED_PASSWORD / --password-file on the CLI) so the key file is written, or create it with mode 0600.',
    });
  }
  if ((mode & 0o077) !== 0) {
    throw new OfflineSeedError('OfflineSeed.KeyFileTooOpen', 'SecurityError', `the key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)})`, {
      targetObject: path,
      recommendedAction: `Restrict it to its owner: chmod 600 ${path}`,
    });
  }
}

/** Writes a non-secret text file atomically (temp name, fsync, rename). */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Removes a file if it is there; true when it was. */
export async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await fs.rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
