import { verifyPassword } from '../../../lib';
import { hashes } from '../../helpers';
import { cli, usersFileInTempDir } from './run';

// Every edit is made on the file's text: comments, quoting, flow and block styles, blank lines
// and every entry it does not touch stay byte for byte. Each spec states the whole expected file.

const H1 = hashes.passlib_2b_cost10.hash;
const H2 = hashes.passlib_2a_cost10.hash;
const H3 = hashes.passlib_2y_cost10.hash;

const RICH = `# Users of the annotation team.   Keep   this list sorted by hand!

- username: alice        # team lead
  hashed_password: '${H1}'
  api_key: "alice-key-0123456789abcdef"   # rotated 2024-05
  email: alice@example.com
  fullname: Alice   A.
  workspaces:
    - team            # the main one
    - 'ops'

# bob is an intern
- {username: bob, hashed_password: "${H2}", api_key: bob-key-0123456789abcdef, workspaces: [team]}

-   username: "carol"
    hashed_password: >-
      ${H3}
    api_key: carol-key-0123456789abcdef
    disabled: false
    workspaces: []
# end of the list
`;

let folder: ReturnType<typeof usersFileInTempDir>;
beforeEach(() => {
  folder = usersFileInTempDir();
  folder.write(RICH);
});
afterEach(() => folder.remove());

const run = (args: string[], input = 'new-password-1') => cli([...args, '--file', folder.file, ...(args[0] === 'add-user' || args[0] === 'set-password' ? ['--cost', '10'] : [])], { input });
const recordOf = (username: string) => folder.records().find((record) => record.user.username === username);

describe('an edit changes only what it must, byte for byte', () => {
  it('set-password replaces the hash in its own quoting and nothing else', async () => {
    expect((await run(['set-password', 'alice'])).status).toBe(0);
    const hash = recordOf('alice')?.hashedPassword ?? '';
    await expect(verifyPassword('new-password-1', hash)).resolves.toBe(true);
    expect(folder.read()).toBe(RICH.replace(`'${H1}'`, `'${hash}'`));
  });

  it('set-password replaces a folded block scalar, keeping the line break after it', async () => {
    expect((await run(['set-password', 'carol'])).status).toBe(0);
    const hash = recordOf('carol')?.hashedPassword ?? '';
    expect(folder.read()).toBe(RICH.replace(`>-\n      ${H3}\n`, `"${hash}"\n`));
  });

  it('rotate-key replaces a key inside a flow mapping, printing the new key', async () => {
    const { status, stdout } = await run(['rotate-key', 'bob']);
    expect(status).toBe(0);
    const key = stdout.trim();
    expect(folder.read()).toBe(RICH.replace('api_key: bob-key-0123456789abcdef,', `api_key: ${key},`));
  });

  it('rotate-key keeps double quotes and the comment after the value', async () => {
    const key = (await run(['rotate-key', 'alice'])).stdout.trim();
    expect(folder.read()).toBe(RICH.replace('"alice-key-0123456789abcdef"   # rotated', `"${key}"   # rotated`));
  });

  it('disable then enable of an entry with `disabled: false` gives back the very same bytes', async () => {
    const original = folder.bytes();
    expect((await run(['disable', 'carol'])).status).toBe(0);
    expect(folder.read()).toBe(RICH.replace('disabled: false', 'disabled: true'));
    expect((await run(['enable', 'carol'])).status).toBe(0);
    expect(folder.bytes().equals(original)).toBe(true);
  });

  it('disable adds a line after a block list of workspaces, at the entry\'s indentation', async () => {
    expect((await run(['disable', 'alice'])).status).toBe(0);
    expect(folder.read()).toBe(RICH.replace("    - 'ops'\n", "    - 'ops'\n  disabled: true\n"));
  });

  it('disable adds a field to a flow mapping', async () => {
    expect((await run(['disable', 'bob'])).status).toBe(0);
    expect(folder.read()).toBe(RICH.replace('workspaces: [team]}', 'workspaces: [team], disabled: true}'));
  });

  it('remove-user removes the entry\'s lines and keeps the comments around it', async () => {
    expect((await run(['remove-user', 'bob'])).status).toBe(0);
    expect(folder.read()).toBe(RICH.replace(/- \{username: bob.*\n/, ''));
    expect((await run(['remove-user', 'alice'])).status).toBe(0);
    expect(folder.read()).toContain('# Users of the annotation team.   Keep   this list sorted by hand!\n\n\n# bob is an intern\n\n-   username: "carol"');
  });

  it('add-user appends after the last entry, indented and quoted like it, and leaves everything before intact', async () => {
    const { status, stdout } = await run(['add-user', 'dave', '--workspaces', 'team', '--email', 'dave@example.com']);
    expect(status).toBe(0);
    const hash = recordOf('dave')?.hashedPassword ?? '';
    const added = `-   username: "dave"\n    hashed_password: "${hash}"\n    api_key: ${stdout.trim()}\n    email: dave@example.com\n    workspaces: [team]\n`;
    expect(folder.read()).toBe(RICH.replace('# end of the list\n', `${added}# end of the list\n`));
  });
});

describe('line endings and the end of the file', () => {
  it('keeps Windows line endings (CRLF) in added lines', async () => {
    folder.write(RICH.replace(/\n/g, '\r\n'));
    expect((await run(['disable', 'alice'])).status).toBe(0);
    expect((await run(['add-user', 'dave'])).status).toBe(0);
    expect(folder.read().replace(/\r\n/g, '')).not.toContain('\n');
    expect(recordOf('alice')?.user.disabled).toBe(true);
    expect(recordOf('dave')?.user.workspaces).toEqual([]);
  });

  it('adds a line to an entry at the end of a file without a final line break', async () => {
    const text = `- username: erin\n  hashed_password: ${H1}\n  api_key: erin-key-0123456789abcdef`;
    folder.write(text);
    expect((await run(['disable', 'erin'])).status).toBe(0);
    expect(folder.read()).toBe(`${text}\n  disabled: true\n`);
  });
});

describe('entries tied by YAML anchors', () => {
  const TIED = `- username: alice
  hashed_password: &shared '${H1}'
  api_key: alice-key-0123456789abcdef
- username: bob
  hashed_password: *shared
  api_key: bob-key-0123456789abcdef
`;

  it('refuses a change that would also change another user through an anchor, leaving the bytes as they were', async () => {
    folder.write(TIED);
    const before = folder.bytes();
    const { status, stderr } = await run(['set-password', 'alice']);
    expect(status).toBe(1);
    expect(stderr).toContain('would not come out as intended');
    expect(folder.bytes().equals(before)).toBe(true);
    expect(folder.leftovers()).toEqual([]);
  });

  it('replaces an alias by a value of its own, changing that user only', async () => {
    folder.write(TIED);
    expect((await run(['set-password', 'bob'])).status).toBe(0);
    expect(recordOf('alice')?.hashedPassword).toBe(H1);
    expect(folder.read()).toBe(TIED.replace('hashed_password: *shared', `hashed_password: "${recordOf('bob')?.hashedPassword}"`));
  });
});

// Merge keys and YAML 1.1 booleans are PyYAML's (Argilla's) reading, which the server's loader shares.
const MERGED = `- &defaults
  username: alice
  hashed_password: '${H1}'
  api_key: alice-key-0123456789abcdef
  workspaces: [team]
- <<: *defaults
  username: bob
  api_key: bob-key-0123456789abcdef
`;
const YES = `- username: alice\n  hashed_password: ${H1}\n  api_key: alice-key-0123456789abcdef\n  disabled: yes\n`;
describe('entries tied by a merge key', () => {
  it("refuses to change the base entry's password: the entries merging it would change too", async () => {
    folder.write(MERGED);
    const { status, stderr } = await run(['set-password', 'alice']);
    expect(status).toBe(1);
    expect(stderr).toContain('would not come out as intended');
    expect(folder.read()).toBe(MERGED);
  });

  it('gives a merging entry a field of its own, which overrides the merged one', async () => {
    folder.write(MERGED);
    expect((await run(['set-password', 'bob'])).status).toBe(0);
    expect(recordOf('alice')?.hashedPassword).toBe(H1);
    const hash = recordOf('bob')?.hashedPassword ?? '';
    expect(folder.read()).toBe(`${MERGED}  hashed_password: ${hash}\n`);
  });
});

describe('YAML 1.1 booleans', () => {
  it('enable replaces `disabled: yes` in place', async () => {
    folder.write(YES);
    expect((await run(['enable', 'alice'])).status).toBe(0);
    expect(folder.read()).toBe(YES.replace('disabled: yes', 'disabled: false'));
  });
});
