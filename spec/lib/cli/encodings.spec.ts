import { verifyPassword } from '../../../lib';
import { readUsersFileSync, readUsersFile } from '../../../lib/users/read-file';
import { entry } from '../../helpers';
import { cli, usersFileInTempDir } from './run';

let folder: ReturnType<typeof usersFileInTempDir>;
beforeEach(() => {
  folder = usersFileInTempDir();
});
afterEach(() => folder.remove());

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe('a users file that starts with a byte-order mark (as Windows editors save it): one rule, accepted everywhere', () => {
  beforeEach(() => folder.write(Buffer.concat([BOM, Buffer.from(`${entry('alice', { workspaces: '[team]' })}`)])));

  it('the server loads it, at start-up and on reload', async () => {
    expect(readUsersFileSync(folder.file).map((record) => record.user.username)).toEqual(['alice']);
    expect((await readUsersFile(folder.file)).map((record) => record.user.username)).toEqual(['alice']);
  });

  it('check passes it and list lists it', async () => {
    expect(await cli(['check', folder.file])).toMatchObject({ status: 0, stdout: `${folder.file}: 1 user, no problems.\n` });
    expect((await cli(['list', '--file', folder.file])).stdout).toMatch(/^alice +team +no +no$/m);
  });

  it('every edit works on it and writes the mark back, with every other byte as it was', async () => {
    const before = folder.bytes();
    expect((await cli(['disable', 'alice', '--file', folder.file])).status).toBe(0);
    expect(folder.bytes().subarray(0, 3).equals(BOM)).toBe(true);
    expect(folder.records()[0]?.user.disabled).toBe(true);
    expect((await cli(['add-user', 'carol', '--cost', '10', '--file', folder.file], { input: 'carol-pw' })).status).toBe(0);
    expect((await cli(['remove-user', 'carol', '--file', folder.file])).status).toBe(0);
    expect((await cli(['enable', 'alice', '--file', folder.file])).status).toBe(0);
    // enable leaves `disabled: false` where disable added the field; nothing else moved.
    expect(folder.bytes().equals(Buffer.concat([before, Buffer.from('  disabled: false\n')]))).toBe(true);
  });

  it('reports problems at the lines and columns an editor shows, the mark not counted', async () => {
    folder.write(Buffer.concat([BOM, Buffer.from('- username: alice\n  hashed_password: [\n')]));
    const { status, stderr } = await cli(['check', folder.file]);
    expect(status).toBe(1);
    expect(stderr).toMatch(new RegExp(`${folder.file}:3:1[,:]`));
  });
});

describe('passwords are UTF-8 text', () => {
  it.each([
    ['Latin-1 bytes', Buffer.from('p\xe9\xe9w', 'latin1')],
    ['other bytes that are not UTF-8', Buffer.from([0x70, 0xff, 0xfe, 0x77])],
    ['a truncated character', Buffer.from([0x70, 0x77, 0xc3])],
    ['a surrogate written as UTF-8', Buffer.from([0x70, 0xed, 0xa0, 0x80])],
  ])('refuses %s on standard input rather than hashing U+FFFD in their place', async (_, input) => {
    for (const args of [['hash-password'], ['add-user', 'carol', '--file', folder.file]]) {
      folder.write(entry('alice'));
      const before = folder.bytes();
      const { status, stdout, stderr } = await cli([...args, '--cost', '10'], { input });
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('The password is not valid UTF-8 text');
      expect(folder.bytes().equals(before)).toBe(true);
    }
  });

  it('drops a leading byte-order mark on standard input (PowerShell and Notepad write one): the password is what follows', async () => {
    const { status, stdout } = await cli(['hash-password', '--cost', '10'], { input: Buffer.concat([BOM, Buffer.from('caf\u00e9-pw\n')]) });
    expect(status).toBe(0);
    await expect(verifyPassword('caf\u00e9-pw', stdout.trim())).resolves.toBe(true);
    await expect(verifyPassword('\uFEFFcaf\u00e9-pw', stdout.trim())).resolves.toBe(false);
  });

  it('hashes UTF-8 as it is: the same password as a login form sends', async () => {
    const { stdout } = await cli(['hash-password', '--cost', '10'], { input: Buffer.from('p\u00e9\u00e9w', 'utf8') });
    await expect(verifyPassword('p\u00e9\u00e9w', stdout.trim())).resolves.toBe(true);
  });
});
