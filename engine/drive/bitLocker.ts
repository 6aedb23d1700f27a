/**
 * BitLocker recovery passwords: validated, never printed, and kept in clear text only in a key file
 * readable by its owner (mode 0600; on Windows Initialize-OfflineSeedDrive gives the folder an
 * owner + Administrators ACL before the engine writes into it). Journals and DriveInfo exports only
 * name that file. A copy with the key goes elsewhere only when the user asks (includeBitLockerKeyPath).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import { registerSecret } from '../protocol/secretRedactor.ts';

/**
 * A numerical recovery password: eight groups of six digits separated by hyphens, each group a
 * multiple of 11 below 720896 (11 x 65536: every group encodes 16 bits of the key).
 * The reason names the rule and the group, never the digits.
 */
export function bitLockerKeyProblem(key: string): string | undefined {
  if (/\s/.test(key)) return 'must not contain spaces';
  const groups = key.split('-');
  if (groups.length !== 8) return `must be eight groups of six digits separated by hyphens (found ${groups.length} groups)`;
  for (let i = 0; i < 8; i++) {
    const group = groups[i]!;
    if (!/^[0-9]{6}$/.test(group)) return `group ${i + 1} must be exactly six digits`;
    const value = Number(group);
    if (value % 11 !== 0) return `group ${i + 1} is not a multiple of 11, so this is not a BitLocker recovery password (a typo?)`;
    if (value >= 720896) return `group ${i + 1} is not below 720896, so this is not a BitLocker recovery password (a typo?)`;
  }
  return undefined;
}

export function validateBitLockerKey(key: string): void {
  registerSecret(key);
  const problem = bitLockerKeyProblem(key);
  if (problem !== undefined) {
    throw new OfflineSeedError('OfflineSeed.InvalidBitLockerKey', 'InvalidArgument', `params.bitLockerKey: the BitLocker recovery password ${problem}`, {
      targetObject: 'params.bitLockerKey',
      recommendedAction: 'Copy the 48-digit numerical recovery password again (manage-bde -protectors -get E: or (Get-BitLockerVolume E:).KeyProtector).',
    });
  }
}

export function keyFilePath(journalDir: string, driveId: string): string {
  return join(journalDir, `${driveId}_BitLockerKey.txt`);
}

/** Writes a file readable by its owner only, atomically (temp with mode 0600, fsync, rename). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  // A folder in the way is refused before anything is written next to it.
  if ((await fs.stat(path).catch(() => undefined))?.isDirectory() === true) {
    throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${path}'`), { code: 'EISDIR', path });
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } catch (error) {
    await fh.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fh.close();
  try {
    await fs.chmod(temp, 0o600);
    await fs.rename(temp, path);
  } catch (error) {
    // A folder (or anything else) in the way: no key-file copy may stay behind under a temporary name.
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export async function writeKeyFile(path: string, key: string): Promise<void> {
  await writePrivateFile(path, `${key}\n`);
}

/** The key in a key file, or undefined when there is none. Tightens a loosened mode back to 0600. */
export async function readKeyFile(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0]!.trim();
  registerSecret(key);
  if (process.platform !== 'win32') {
    const st = await fs.stat(path);
    if ((st.mode & 0o077) !== 0) await fs.chmod(path, 0o600);
  }
  if (bitLockerKeyProblem(key) !== undefined) {
    throw new OfflineSeedError('OfflineSeed.KeyFileCorrupt', 'InvalidData', `the BitLocker key file ${path} does not hold a valid recovery password`, {
      targetObject: path,
      recommendedAction: 'Restore the key file, or give the recovery password again with -BitLockerKey.',
    });
  }
  return key;
}
