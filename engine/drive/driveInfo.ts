/**
 * The DriveInfo export, <journal folder>/<driveId>_DriveInfo.xml: exactly the job's driveList entry,
 *   <Drive><DriveId/><BitLockerKey/><ManifestFile/><ManifestHash/></Drive>
 * except that BitLockerKey carries no key: its KeyFile attribute names the owner-only key file the
 * job-creation step reads the key from. Only includeBitLockerKeyPath, a place the user names, gets a
 * copy with the key in it (for a portal upload), itself readable by its owner only.
 */
import { writePrivateFile } from './bitLocker.ts';
import { escapeAttribute, escapeText } from './xml.ts';

export interface DriveInfo {
  driveId: string;
  manifestFile: string;
  manifestHash: string;
  bitLockerKeyFile?: string;
}

export function driveInfoXml(info: DriveInfo, key?: string): string {
  const keyElement = key !== undefined
    ? `<BitLockerKey>${escapeText(key)}</BitLockerKey>`
    : info.bitLockerKeyFile !== undefined ? `<BitLockerKey KeyFile="${escapeAttribute(info.bitLockerKeyFile)}" />` : '<BitLockerKey />';
  return `<?xml version="1.0" encoding="UTF-8"?>\r\n<Drive>\r\n  <DriveId>${escapeText(info.driveId)}</DriveId>\r\n  ${keyElement}\r\n`
    + `  <ManifestFile>${escapeText(info.manifestFile)}</ManifestFile>\r\n  <ManifestHash>${info.manifestHash}</ManifestHash>\r\n</Drive>\r\n`;
}

/** Written like a key file (temp, 0600, rename): harmless without the key, and the folder is private anyway. */
export async function writeDriveInfo(path: string, info: DriveInfo, key?: string): Promise<string> {
  const text = driveInfoXml(info, key);
  await writePrivateFile(path, text);
  return text;
}
