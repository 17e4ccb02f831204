import { makeKeys, usersYaml } from '../../../bench/make-users';
import { WINDOWED_FROM_BYTES } from '../../../lib/cli/users-yaml-window';
import { hashes } from '../../helpers';
import { cli, usersFileInTempDir } from './run';

// A plain file from 256 KiB is edited one entry at a time and the result checked in its place
// (users-yaml-window.ts, windowed-check.ts): every command must come out as on a small file,
// byte for byte, a byte-order mark and Windows line breaks kept, and refuse what a small file's
// edit refuses.
const HASH = hashes.passlib_2b_cost10.hash;
const USERS = 1_500;
const KEYS = makeKeys(USERS);
const BIG = usersYaml(USERS, HASH, KEYS);
const BOM = '\uFEFF';

let folder: ReturnType<typeof usersFileInTempDir>;
beforeEach(() => {
  folder = usersFileInTempDir();
});
afterEach(() => folder.remove());

const run = (args: string[], input = 'new-password-1') =>
  cli([...args, '--file', folder.file, ...(args[0] === 'add-user' || args[0] === 'set-password' ? ['--cost', '10'] : [])], { input });

/** The lines of user i in the bench's file, from its dash to the next user's. */
const entryOf = (text: string, i: number) => {
  const start = text.indexOf(`- username: user-${String(i).padStart(6, '0')}`);
  const end = text.indexOf('- username: ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
};

it('is big enough to be edited one entry at a time', () => {
  expect(BIG.length).toBeGreaterThan(WINDOWED_FROM_BYTES);
});

describe.each([
  ['as the bench writes it', '', '\n'],
  ['with a byte-order mark and Windows line breaks', BOM, '\r\n'],
])('a big plain file %s', (_, bom, eol) => {
  const original = bom + BIG.replace(/\n/g, eol);
  beforeEach(() => folder.write(original));
  /** The file with user i's lines replaced by `lines` (written with \n). */
  const withEntry = (i: number, lines: string) => original.replace(entryOf(original, i), lines.replace(/\n/g, eol));

  it('disable, set-workspaces, set-workspaces --superuser and remove-user change only their lines', async () => {
    expect((await run(['disable', 'user-000005'])).status).toBe(0);
    let expected = withEntry(5, `${entryOf(BIG, 5)}  disabled: true\n`);
    expect(folder.read()).toBe(expected);
    expect((await run(['set-workspaces', 'user-000001', 'a,b'])).status).toBe(0); // a super-user: the field is added
    expected = expected.replace(entryOf(expected, 1), `${entryOf(BIG, 1)}  workspaces: [a, b]\n`.replace(/\n/g, eol));
    expect(folder.read()).toBe(expected);
    expect((await run(['set-workspaces', 'user-000002', '--superuser'])).status).toBe(0);
    expected = expected.replace(entryOf(expected, 2), entryOf(BIG, 2).replace(/ {2}workspaces: .*\n/, '').replace(/\n/g, eol));
    expect(folder.read()).toBe(expected);
    expect((await run(['remove-user', String(`user-${String(USERS - 1).padStart(6, '0')}`)])).status).toBe(0); // the last entry
    expected = expected.replace(entryOf(expected, USERS - 1), '');
    expect(folder.read()).toBe(expected);
    expect((await run(['remove-user', 'user-000000'])).status).toBe(0); // the first
    expect(folder.read()).toBe(expected.replace(entryOf(expected, 0), ''));
    expect(folder.records()).toHaveLength(USERS - 2);
  });

  it('set-password and rotate-key replace one value; add-user appends after the last entry', async () => {
    expect((await run(['set-password', 'user-000003'])).status).toBe(0);
    const hash = folder.records().find((record) => record.user.username === 'user-000003')?.hashedPassword ?? '';
    let expected = withEntry(3, entryOf(BIG, 3).replace(/"\$2b\$[^"]+"/, `"${hash}"`));
    expect(folder.read()).toBe(expected);
    const { status, stdout } = await run(['rotate-key', 'user-000004']);
    expect(status).toBe(0);
    expected = expected.replace(KEYS[4] ?? '', stdout.trim());
    expect(folder.read()).toBe(expected);
    const added = await run(['add-user', 'zoe', '--workspaces', 'team-1']);
    expect(added.status).toBe(0);
    const zoe = folder.records().find((record) => record.user.username === 'zoe');
    expect(zoe).toMatchObject({ apiKey: added.stdout.trim(), user: { workspaces: ['team-1'] } });
    const last = `- username: zoe\n  hashed_password: "${zoe?.hashedPassword}"\n  api_key: "${zoe?.apiKey}"\n  workspaces: [team-1]\n`;
    expect(folder.read()).toBe(expected + last.replace(/\n/g, eol));
  });
});

describe.each([
  ['a small file', 4],
  ['a big file', USERS],
])('in %s', (_, users) => {
  it('refuses a removal after which the entry before it would read otherwise (its block scalar keeps the lines that follow it)', async () => {
    // user-000001 keeps its trailing blank lines (`|+`); user-000002 is followed by a blank line,
    // which removing user-000002 hands to user-000001's full name.
    const text = usersYaml(users, HASH, makeKeys(users))
      .replace(/( {2}full_name: )"User 1 v0"\n/, '$1|+\n    User 1\n\n')
      .replace(/(- username: user-000003)/, '\n$1');
    folder.write(text);
    const { status, stderr } = await run(['remove-user', 'user-000002']);
    expect(stderr).toContain('this change would not come out as intended');
    expect(status).toBe(1);
    expect(folder.read()).toBe(text);
  });
});
