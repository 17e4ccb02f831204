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
