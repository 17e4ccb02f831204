import { type Stats, statSync } from 'node:fs';
import { permissionAdvice } from '../../../lib/users/unreadable';

// What a users file this process may not read is told to do, by whose the file is. The run as
// another user, with a real EACCES, is in off-thread-reload.spec.ts.
const FILE = "/srv/it's/.users.yml";
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
/** The stats of a real file, with the owner, group and mode of the case. */
const statsOf = (owner: { uid: number; gid: number; mode: number }): Stats => Object.assign(statSync(__filename), owner);

describe('permissionAdvice', () => {
  it("names the owner, the mode and this process's uid, and gives the file to this user, never to everyone", () => {
    const advice = permissionAdvice(FILE, statsOf({ uid: uid + 1, gid: gid + 12345, mode: 0o100600 }));
    expect(advice).toBe(
      `it is owned by uid ${uid + 1}, group ${gid + 12345}, mode 0600, and this server runs as uid ${uid}, which may not read it (a file made with sudo is root's). ` +
        `Give it to this server's user: \`sudo chown ${uid} '/srv/it'\\''s/.users.yml'\`, or to a group of that user with ` +
        `\`sudo chgrp <group> '/srv/it'\\''s/.users.yml' && sudo chmod g+r '/srv/it'\\''s/.users.yml'\`. Do not make it readable by everyone: it holds password hashes and API keys.`,
    );
  });

  it('asks for the read bit of the owner or of the group when this process is one of them', () => {
    expect(permissionAdvice(FILE, statsOf({ uid, gid, mode: 0o100000 }))).toMatch(/mode 0000, and this server runs as uid \d+, its owner, without read permission: `chmod u\+r '/);
    expect(permissionAdvice(FILE, statsOf({ uid: uid + 1, gid, mode: 0o100600 }))).toMatch(/, in its group, which may not read it: `chmod g\+r '/);
  });

  it('points at the folders of the path when even stat failed', () => {
    expect(permissionAdvice(FILE, undefined)).toMatch(/a folder on its path may not be entered by this process \(this server runs as uid \d+\): check each folder with `ls -ld`/);
  });
});
