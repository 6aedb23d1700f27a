/**
 * Probing the local facts the checks of localChecks.ts judge. Linux reads them from the kernel
 * (statfs, /proc/self/mountinfo, /sys); Windows facts about disks and BitLocker come from the
 * PowerShell module (Storage and BitLocker cmdlets) in the request, and are probed here only as far
 * as Node can (free space, write access). Nothing here throws for a missing fact: it stays undefined,
 * and the check says it could not be determined.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ComputerFacts, DriveFacts, SeedEstimate, StagingFacts } from './localChecks.ts';

export async function probeStaging(path: string, platform: NodeJS.Platform = process.platform): Promise<StagingFacts> {
  const full = platform === 'win32' ? path : resolve(path);
  let exists: StagingFacts['exists'] = 'missing';
  let dir: string | undefined;
  try {
    const st = await fs.stat(full);
    exists = st.isDirectory() ? 'directory' : 'file';
    if (st.isDirectory()) dir = full;
  } catch {
    try {
      if ((await fs.stat(dirname(full))).isDirectory()) {
        exists = 'parent';
        dir = dirname(full);
      }
    } catch {
      // neither exists
    }
  }
  const facts: StagingFacts = { path, platform, exists };
  if (dir === undefined) return facts;
  const probe = join(dir, `.offlineseed-preflight-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await fs.open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    try {
      await fh.writeFile('offlineseed preflight\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rm(probe, { force: true });
    facts.writable = true;
  } catch (error) {
    facts.writable = false;
    const e = error as NodeJS.ErrnoException;
    facts.writeError = e.code !== undefined ? `${e.code} (${e.message.replace(/^[A-Z]+: /, '').split(',')[0]})` : String(error);
    await fs.rm(probe, { force: true }).catch(() => undefined);
  }
  try {
    const st = await fs.statfs(dir);
    facts.freeBytes = st.bavail * st.bsize;
  } catch {
    // unknown
  }
  return facts;
}

/**
 * The bytes of the regular files under the sources, counted until `budgetMs` runs out (then
 * "partial": a lower bound). Symbolic links are not followed (the archiver stores them as links).
 */
export async function estimateSources(sources: readonly string[], budgetMs: number, now: () => number = Date.now): Promise<SeedEstimate> {
  const deadline = now() + budgetMs;
  let bytes = 0;
  let files = 0;
  let partial = false;
  const stack = sources.map((s) => resolve(s));
  while (stack.length > 0) {
    if (now() > deadline) {
      partial = true;
      break;
    }
    const path = stack.pop()!;
    let st;
    try {
      st = await fs.lstat(path);
    } catch {
      continue;
    }
    if (st.isFile()) {
      bytes += st.size;
      files++;
    } else if (st.isDirectory()) {
      const entries = await fs.readdir(path).catch(() => [] as string[]);
      for (const e of entries) stack.push(join(path, e));
    }
  }
  return { bytes, files, source: partial ? 'partial' : 'scanned' };
}

interface Mount {
  mountPoint: string;
  fileSystem: string;
  device: string;
  majorMinor: string;
}

/** /proc/self/mountinfo: "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue". */
export function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const l = left.split(' ');
    const r = right.split(' ');
    const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    mounts.push({ mountPoint: unescape(l[4] ?? ''), majorMinor: l[2] ?? '', fileSystem: r[0] ?? '', device: unescape(r[1] ?? '') });
  }
  return mounts;
}

/** The mount a path is on: the longest mount point that is a prefix of it (the last one mounted wins). */
export function mountOf(mounts: readonly Mount[], path: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const prefix = m.mountPoint === '/' ? '/' : `${m.mountPoint}/`;
    if (path === m.mountPoint || path.startsWith(prefix)) {
      if (best === undefined || m.mountPoint.length >= best.mountPoint.length) best = m;
    }
  }
  return best;
}

/** The sysfs folder of the whole disk behind a block device "major:minor", or undefined. */
async function wholeDisk(majorMinor: string): Promise<string | undefined> {
  if (majorMinor === '' || majorMinor.startsWith('0:')) return undefined;
  try {
    const sys = await fs.realpath(`/sys/dev/block/${majorMinor}`);
    try {
      await fs.access(join(sys, 'partition'));
      return dirname(sys);
    } catch {
      return sys;
    }
  } catch {
    return undefined;
  }
}

const VIRTUAL_DISK = /qemu|vmware|virtual|vbox|msft|xen|virtio|google|amazon elastic/i;
const VIRTUAL_MACHINE = /qemu|kvm|vmware|virtualbox|virtual machine|xen|hvm domu|google compute|amazon ec2|bochs|cloud hypervisor|openstack/i;

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(path, 'latin1')).trim();
  } catch {
    return undefined;
  }
}

export async function probeLinuxDrive(path: string): Promise<DriveFacts> {
  const facts: DriveFacts = { path, source: 'probed' };
  const full = resolve(path);
  try {
    const st = await fs.statfs(full);
    facts.sizeBytes = st.blocks * st.bsize;
  } catch {
    return facts;
  }
  const mounts = parseMountInfo((await readText('/proc/self/mountinfo')) ?? '');
  const real = await fs.realpath(full).catch(() => full);
  const mount = mountOf(mounts, real);
  if (mount !== undefined) facts.fileSystem = mount.fileSystem;
  const root = mountOf(mounts, '/');
  const disk = mount === undefined ? undefined : await wholeDisk(mount.majorMinor);
  const rootDisk = root === undefined ? undefined : await wholeDisk(root.majorMinor);
  if (mount !== undefined && root !== undefined && mount.mountPoint === root.mountPoint) facts.isSystemDisk = true;
  else if (disk !== undefined && rootDisk !== undefined) facts.isSystemDisk = disk === rootDisk;
  else if (mount !== undefined && ['tmpfs', 'ramfs'].includes(mount.fileSystem)) facts.isSystemDisk = false;
  if (disk !== undefined) {
    const name = disk.split('/').pop() ?? '';
    const vendor = `${(await readText(join(disk, 'device/vendor'))) ?? ''} ${(await readText(join(disk, 'device/model'))) ?? ''}`;
    facts.isVirtualDisk = /^(vd|xvd|loop|zram|nbd)/.test(name) || VIRTUAL_DISK.test(vendor);
    const link = await fs.realpath(disk).catch(() => disk);
    if (/\/usb\d*\//.test(link)) facts.busType = 'USB';
  }
  return facts;
}

export async function probeComputer(platform: NodeJS.Platform = process.platform): Promise<ComputerFacts> {
  const facts: ComputerFacts = { platform };
  if (platform === 'linux') {
    const dmi = `${(await readText('/sys/class/dmi/id/sys_vendor')) ?? ''} ${(await readText('/sys/class/dmi/id/product_name')) ?? ''}`;
    const cpu = (await readText('/proc/cpuinfo')) ?? '';
    if (dmi.trim() !== '' || cpu !== '') facts.isVirtualMachine = VIRTUAL_MACHINE.test(dmi) || /^flags\s*:.*\bhypervisor\b/m.test(cpu);
    facts.bitLockerAvailable = false;
  }
  return facts;
}
