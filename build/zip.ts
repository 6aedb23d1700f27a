/**
 * A minimal zip writer (PKWARE APPNOTE 6.3: local headers, deflate, central directory), so packaging
 * needs no zip program. Files are deflated at level 9 — the engines are most of the bytes and the
 * module must stay under Azure Automation's 100 MB import limit. Every entry is under 4 GiB, so no
 * zip64 records are needed; a larger entry is refused rather than written wrongly.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, forward slashes. */
  name: string;
  data: Buffer;
  /** Unix mode bits (0o755 for executables); Windows ignores them. */
  mode?: number;
}

const LIMIT = 0xffff_ffff;
/** 1980-01-01 00:00 in DOS format: a fixed time makes the archive reproducible. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;

export function writeZip(path: string, entries: readonly ZipEntry[]): void {
  const temp = `${path}.tmp`;
  rmSync(temp, { force: true });
  const fd = openSync(temp, 'w');
  let offset = 0;
  const central: Buffer[] = [];
  const write = (buffer: Buffer): void => {
    writeSync(fd, buffer);
    offset += buffer.length;
  };
  try {
    for (const entry of entries) {
      if (entry.data.length >= LIMIT) throw new Error(`zip: ${entry.name} is 4 GiB or more (zip64 is not supported)`);
      const name = Buffer.from(entry.name, 'utf8');
      const deflated = deflateRawSync(entry.data, { level: constants.Z_BEST_COMPRESSION, memLevel: 9 });
      const stored = deflated.length >= entry.data.length;
      const body = stored ? entry.data : deflated;
      const crc = crc32(entry.data) >>> 0;
      const method = stored ? 0 : 8;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
      local.writeUInt16LE(0x0800, 6); // UTF-8 names
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(DOS_TIME, 10);
      local.writeUInt16LE(DOS_DATE, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(entry.data.length, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      const headerOffset = offset;
      write(local);
      write(name);
      write(body);

      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode bits below count
      header.writeUInt16LE(20, 6);
      header.writeUInt16LE(0x0800, 8);
      header.writeUInt16LE(method, 10);
      header.writeUInt16LE(DOS_TIME, 12);
      header.writeUInt16LE(DOS_DATE, 14);
      header.writeUInt32LE(crc, 16);
      header.writeUInt32LE(body.length, 20);
      header.writeUInt32LE(entry.data.length, 24);
      header.writeUInt16LE(name.length, 28);
      header.writeUInt16LE(0, 30); // extra
      header.writeUInt16LE(0, 32); // comment
      header.writeUInt16LE(0, 34); // disk
      header.writeUInt16LE(0, 36); // internal attributes
      header.writeUInt32LE((((0o100000 | (entry.mode ?? 0o644)) << 16) >>> 0), 38);
      header.writeUInt32LE(headerOffset, 42);
      central.push(header, name);
    }
    const centralStart = offset;
    for (const part of central) write(part);
    if (offset >= LIMIT || entries.length >= 0xffff) throw new Error('zip: archive too large for a zip without zip64');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(offset - centralStart, 12);
    end.writeUInt32LE(centralStart, 16);
    end.writeUInt16LE(0, 20);
    write(end);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
}
