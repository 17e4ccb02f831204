import type { Stats } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { CliError } from './io';

/**
 * A save replaces the users file by renaming a new file over it (atomic-write.ts), as editors
 * do. A file bind-mounted on its own (`docker run -v ./users.yml:/config/users.yml`, a compose
 * volume of one file) defeats that: where it is the mount point the rename fails with EBUSY, and
 * where it is the source the mount keeps showing the old inode, so the server behind it never
 * sees the change. Linux tells both through /proc/<pid>/mountinfo; elsewhere nothing is found.
 */

const FOLDER_MOUNT_FIX =
  'Mount the folder that holds the users file instead of the file itself (docker compose: `./config:/config`, with ' +
  'ARGILLA_LOCAL_AUTH_USERS_DB_FILE=/config/.users.yaml), recreate the container, then edit the file in that folder.';

/** The advice for a rename refused with EBUSY: the path is a mount point. */
export function singleFileMountAdvice(file: string): string {
  return (
    `${file} is itself a mount point (a file bind-mounted on its own, as a container volume of one file), which a save by rename ` +
    `cannot replace. ${FOLDER_MOUNT_FIX}`
  );
}

interface Mount {
  device: string;
  root: string;
  mountPoint: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
const unescapeField = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

function parseMountinfo(text: string): Mount[] {
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length >= 5)
    .map((fields) => ({ device: fields[2] ?? '', root: unescapeField(fields[3] ?? ''), mountPoint: unescapeField(fields[4] ?? '') }));
}

/** `major:minor` of a device number, as mountinfo writes it (glibc's gnu_dev_major and gnu_dev_minor). */
function deviceOf(dev: number): string {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/** One mount namespace: a process in it, and the prefix under which its paths are seen from here. */
interface Namespace {
  pid: string;
  prefix: string;
  own: boolean;
}

/** The mount namespaces this process can see: its own, and, as root, those of every container on the host. */
async function namespaces(): Promise<Namespace[]> {
  const own = await readlink('/proc/self/ns/mnt').catch(() => null);
  if (own === null) return [];
  const found: Namespace[] = [{ pid: 'self', prefix: '', own: true }];
  const seen = new Set([own]);
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  // Others' processes: root only. All at once: one by one took 100 ms for 100 processes.
  const links = await Promise.all(pids.map((pid) => readlink(`/proc/${pid}/ns/mnt`).catch(() => null)));
  for (const [index, pid] of pids.entries()) {
    const ns = links[index] ?? null;
    if (ns === null || seen.has(ns)) continue;
    seen.add(ns);
    found.push({ pid, prefix: `/proc/${pid}/root`, own: false });
  }
  return found;
}

const sameFile = (a: Stats | null, b: Stats) => a?.isFile() === true && a.dev === b.dev && a.ino === b.ino;

/**
 * Refuses, before anything is asked or written, an edit whose save would fail or would not be
 * seen: `file` (its real path, existing) is itself a mount point here, or it is bind-mounted on
 * its own somewhere else (another mount namespace: a container), or such a mount still shows an
 * older copy of it (replaced since). Nothing is refused where /proc cannot tell.
 */
export async function refuseSingleFileMounts(file: string, shown: string): Promise<void> {
  const target = await stat(file).catch(() => null);
  if (!target) return;
  const device = deviceOf(target.dev);
  const ownMounts = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''));
  // Where the file is within its file system: what a bind mount of it names as its root.
  const holder = ownMounts
    .filter((mount) => mount.device === device && (file === mount.mountPoint || file.startsWith(`${mount.mountPoint.replace(/\/$/, '')}/`)))
    .pop();
  const inFileSystem = holder && (holder.mountPoint === file ? holder.root : `${holder.root.replace(/\/$/, '')}${file.slice(holder.mountPoint.replace(/\/$/, '').length)}`);

  for (const ns of await namespaces()) {
    const mounts = ns.own ? ownMounts : parseMountinfo(await readFile(`/proc/${ns.pid}/mountinfo`, 'utf8').catch(() => ''));
    for (const mount of mounts) {
      if (mount.device !== device) continue;
      const where = ns.own ? `at ${mount.mountPoint}` : `at ${mount.mountPoint} in another mount namespace (a container; its process ${ns.pid})`;
      if (!ns.own && inFileSystem !== undefined && mount.root === `${inFileSystem}//deleted`) {
        throw new CliError(
          `${shown} is bind-mounted on its own ${where}, and that mount still shows an older copy, replaced since (by an editor or this command): ` +
            `the server there does not see the current file, and would not see this change either. ${FOLDER_MOUNT_FIX} Nothing was changed.`,
        );
      }
      if (!sameFile(await stat(`${ns.prefix}${mount.mountPoint}`).catch(() => null), target)) continue;
      if (ns.own && mount.mountPoint === file) throw new CliError(`${singleFileMountAdvice(shown)} Nothing was changed.`);
      throw new CliError(
        `${shown} is bind-mounted on its own ${where}. A save replaces the file by a new one (a rename), and that mount would keep ` +
          `showing the old one: the server there would never see this change. ${FOLDER_MOUNT_FIX} Nothing was changed.`,
      );
    }
  }
}
