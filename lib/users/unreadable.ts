/**
 * What to do about a users file this process may not read: whose it is, its mode, who the
 * process runs as, and the command that fixes it. A file created by `sudo … add-user` for a
 * server run by another user is the usual case: root's, mode 600.
 */
import type { Stats } from 'node:fs';

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** A path as a shell word. */
const shellWord = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Who this process runs as, where the platform says (not on Windows). */
function processIds(): { uid: number; groups: readonly number[] } | undefined {
  if (typeof process.getuid !== 'function') return undefined;
  const groups = typeof process.getgroups === 'function' ? process.getgroups() : [];
  const gid = typeof process.getgid === 'function' ? [process.getgid()] : [];
  return { uid: process.getuid(), groups: [...gid, ...groups] };
}

/**
 * Advice for EACCES or EPERM on a users file. `stats` is the file's (undefined when even
 * stat failed: then a folder on the path is what this process may not enter).
 */
export function permissionAdvice(file: string, stats: Stats | undefined): string {
  const path = shellWord(file);
  const ids = processIds();
  const runsAs = ids ? `this server runs as uid ${ids.uid}` : 'this server';
  if (!stats) {
    return `a folder on its path may not be entered by this process (${runsAs}): check each folder with \`ls -ld\` and give this user execute (x) permission on it.`;
  }
  const owned = `it is owned by uid ${stats.uid}, group ${stats.gid}, mode ${octal(stats.mode)}, and ${runsAs}`;
  if (!ids) return `${owned}: give this server's user read permission on it.`;
  // It holds password hashes and API keys: never advise making it readable by everyone.
  if (stats.uid === ids.uid) return `${owned}, its owner, without read permission: \`chmod u+r ${path}\`.`;
  if (ids.groups.includes(stats.gid)) return `${owned}, in its group, which may not read it: \`chmod g+r ${path}\`.`;
  return (
    `${owned}, which may not read it (a file made with sudo is root's). Give it to this server's user: ` +
    `\`sudo chown ${ids.uid} ${path}\`, or to a group of that user with \`sudo chgrp <group> ${path} && sudo chmod g+r ${path}\`. ` +
    'Do not make it readable by everyone: it holds password hashes and API keys.'
  );
}
