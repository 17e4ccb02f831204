import { parseUsersFile, UsersFileError, UsersIndex } from '../../lib';
import { readUsersFile, readUsersFileSync } from '../../lib/users-file-read';
import { entry, FIXTURES, hashes, USERS_FILE } from '../helpers';

/** The problems reported for a file, as "where: message" lines. */
function problemsOf(yaml: string): string[] {
  try {
    parseUsersFile(yaml, 'users.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(UsersFileError);
    return (error as UsersFileError).problems.map((problem) => `${problem.where}: ${problem.message}`);
  }
  throw new Error('the file was accepted');
}

describe('a valid users file', () => {
  const records = readUsersFileSync(USERS_FILE);
  const byName = new Map(records.map((record) => [record.user.username, record]));

  it('reads every entry with its fields', () => {
    expect(records.map((record) => record.user.username)).toEqual(['user1', 'user2', 'user3', 'htuser', 'sleepy', 'constructor']);
    expect(byName.get('user2')?.user).toEqual({
      username: 'user2',
      email: 'user2@example.com',
      full_name: 'User Two',
      disabled: false,
      workspaces: ['client_projects'],
      superuser: false,
    });
  });

  it('accepts `fullname`, the name the Argilla docs use, as full_name', () => {
    expect(byName.get('user3')?.user.full_name).toBe('User Three');
  });

  it('makes a user with no workspaces field a super-user, and `[]` a user of the own workspace only', () => {
    expect(byName.get('user3')?.user).toMatchObject({ workspaces: null, superuser: true });
    expect(byName.get('user1')?.user).toMatchObject({ workspaces: [], superuser: false });
  });

  it('makes `workspaces: null` a super-user too', () => {
    const [record] = parseUsersFile(entry('nulls', { workspaces: 'null' }), 'users.yml');
    expect(record?.user).toMatchObject({ workspaces: null, superuser: true });
  });

  it('reads disabled: true', () => {
    expect(byName.get('sleepy')?.user.disabled).toBe(true);
  });
});

describe('refused users files: every problem names the file, the entry, the username and the field', () => {
  it('refuses invalid YAML with its line and column', () => {
    expect(problemsOf('- username: a\n  api_key: [unclosed\n')).toEqual([expect.stringMatching(/^users\.yml:\d+:\d+: is not valid YAML: /)]);
  });

  it('refuses YAML with a repeated key, which would hide one of the values', () => {
    const yaml = entry('twice', { workspaces: '[a]' }) + '  workspaces: [b]\n';
    expect(problemsOf(yaml)).toEqual([expect.stringMatching(/is not valid YAML: .*duplicate/i)]);
  });

  it('refuses a top level that is not a list', () => {
    expect(problemsOf('username: a\n')).toEqual([expect.stringContaining('users.yml: must be a list of users at the top level')]);
  });

  it('refuses an empty file and an empty list: nobody could log in', () => {
    expect(problemsOf('')).toEqual([expect.stringContaining('users.yml: is empty')]);
    expect(problemsOf('[]\n')).toEqual([expect.stringContaining('lists no users')]);
  });

  it('refuses an entry that is not a mapping', () => {
    expect(problemsOf(entry('ok') + '- just-a-string\n')).toEqual([
      'users.yml: entry 2 (no username): must be a mapping of fields (username, hashed_password, api_key, ...), not a single value or a list.',
    ]);
  });

  it.each(['username', 'hashed_password', 'api_key'])('refuses an entry without %s', (field) => {
    const lines = ['- email: someone@example.com', ...entry('someone').split('\n').map((line) => line.replace(/^- /, '  '))];
    const who = field === 'username' ? 'no username' : 'someone';
    expect(problemsOf(lines.filter((line) => !line.includes(`${field}:`)).join('\n'))).toEqual([expect.stringMatching(new RegExp(`^users\\.yml: entry 1 \\(${who}\\), field "${field}": is required`))]);
  });

  it('refuses an unknown field, and suggests the known one: `workspace:` must never make a super-user', () => {
    expect(problemsOf(entry('typo', { workspace: '[team]' }))).toEqual([
      expect.stringMatching(/^users\.yml: entry 1 \(typo\), field "workspace": is not a known field\. Did you mean "workspaces"\?/),
    ]);
  });

  it.each([
    ['Upper', 'uppercase letters'],
    ['-dash', 'a leading dash'],
    ['_under', 'a leading underscore'],
    ['a b', 'a space'],
    ['../etc', 'a path'],
  ])('refuses the username %j (%s)', (username) => {
    expect(problemsOf(entry(JSON.stringify(username)))).toEqual([
      expect.stringContaining(`field "username": ${JSON.stringify(username)} is not a valid username: use lowercase letters`),
    ]);
  });

  it('refuses a number where a string is expected, as YAML would have changed it (0123 becomes 83), naming its type', () => {
    expect(problemsOf(entry('numeric', { api_key: '0123' }))).toEqual([
      'users.yml: entry 1 (numeric), field "api_key": must be a string, not a number: put the value in quotes.',
    ]);
  });

  it.each(['_team', 'a b', '../etc', 'tëam'])('refuses the workspace name %j', (workspace) => {
    expect(problemsOf(entry('ws', { workspaces: `[${JSON.stringify(workspace)}]` }))).toEqual([
      expect.stringContaining(`field "workspaces"[0]: ${JSON.stringify(workspace)} is not a valid workspace name`),
    ]);
  });

  it('refuses workspaces that are not a list', () => {
    expect(problemsOf(entry('ws', { workspaces: 'client_projects' }))).toEqual([
      expect.stringContaining('field "workspaces": must be a list of workspace names'),
    ]);
  });

  it('refuses an implausible email, describing it without repeating it (it may be a misplaced secret)', () => {
    const problems = problemsOf(entry('mail', { email: 'not-an-address' }));
    expect(problems).toEqual([expect.stringContaining('field "email": is not a plausible email address (e.g. "jane@example.com"). The value (a string of 14 characters) is not shown')]);
    expect(problems.join()).not.toContain('not-an-address');
  });

  it('refuses `disabled:` without a value, or with a string, rather than guess', () => {
    expect(problemsOf(entry('d', { disabled: '' }))).toEqual([expect.stringContaining('field "disabled": must be true or false.')]);
    expect(problemsOf(entry('d', { disabled: '"yes"' }))).toEqual([expect.stringContaining('field "disabled": must be true or false.')]);
  });

  it('refuses both full_name and fullname', () => {
    expect(problemsOf(entry('names', { full_name: 'A', fullname: 'B' }))).toEqual([
      expect.stringContaining('field "fullname": is given beside "full_name": keep one of the two.'),
    ]);
  });

  it('refuses duplicate usernames, naming the first entry', () => {
    expect(problemsOf(entry('twin') + entry('twin', { api_key: 'other-key' }))).toEqual([
      'users.yml: entry 2 (twin), field "username": repeats the username of entry 1: each user must appear once.',
    ]);
  });

  it("refuses the seed documents' own example, where user3 has user2's API key, without printing the key", () => {
    const seedExample = [
      entry('user1', { api_key: '"ThisIsTheUser1APIKEY"', workspaces: '[]' }),
      entry('user2', { api_key: '"ThisIsTheUser2APIKEY"', workspaces: "['client_projects']" }),
      entry('user3', { api_key: '"ThisIsTheUser2APIKEY"' }),
    ].join('');
    const problems = problemsOf(seedExample);
    expect(problems).toEqual([expect.stringContaining('entry 3 (user3), field "api_key": is the same as the api_key of entry 2 (user2)')]);
    expect(problems.join()).not.toContain('ThisIsTheUser2APIKEY');
  });

  it.each([
    ['plaintext', 'my-password', 'looks like a plaintext password'],
    ['$apr1$ (htpasswd -m)', hashes.htpasswd_md5_apr1.hash, 'Apache MD5 ($apr1$)'],
    ['{SHA} (htpasswd -s)', hashes.htpasswd_sha1.hash, 'SHA-1'],
    ['$2x$', hashes.passlib_2b_cost10.hash.replace('$2b$', '$2x$'), '$2x$'],
    ['a cut bcrypt hash', hashes.passlib_2b_cost10.hash.slice(0, 40), 'malformed'],
  ])('refuses a %s hashed_password, says how to make a bcrypt hash, and never echoes it', (_kind, value, why) => {
    const problems = problemsOf(entry('hashy', { hashed_password: JSON.stringify(value) }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('entry 1 (hashy), field "hashed_password": is not usable');
    expect(problems[0]).toContain(why);
    expect(problems[0]).toContain('htpasswd -nbB');
    expect(problems[0]).not.toContain(value);
  });

  it('reports every problem of the file at once, in file order', () => {
    const problems = problemsOf(
      entry('good', { api_key: '"good-key-0123456789abcdef"' }) +
        entry('Bad', { email: 'x' }) +
        entry('good', { workspace: '[a]', api_key: '"good-key-0123456789abcdef"' }) +
        '- 42\n',
    );
    expect(problems).toEqual([
      expect.stringContaining('entry 2 (Bad), field "username"'),
      expect.stringContaining('entry 2 (Bad), field "email"'),
      expect.stringContaining('entry 3 (good), field "workspace"'),
      expect.stringContaining('entry 3 (good), field "username": repeats the username of entry 1'),
      expect.stringContaining('entry 3 (good), field "api_key": is the same as the api_key of entry 1 (good)'),
      expect.stringContaining('entry 4 (no username)'),
    ]);
  });

  it('puts the count and all problems in the error message', () => {
    expect(() => parseUsersFile(entry('A') + entry('B'), '/etc/users.yml')).toThrow(/^The users file \/etc\/users\.yml has 2 problems:\n {2}- /);
  });
});

describe('prototype keys', () => {
  it('refuses fields such as __proto__ and constructor as unknown fields', () => {
    const problems = problemsOf(`${entry('proto')}  __proto__: { workspaces: [] }\n  constructor: 1\n`);
    expect(problems).toEqual([
      expect.stringContaining('field "__proto__": is not a known field'),
      expect.stringContaining('field "constructor": is not a known field'),
    ]);
  });

  it('finds nothing for names that exist on Object.prototype', () => {
    const index = new UsersIndex(parseUsersFile(entry('alice'), 'users.yml'), 'users.yml');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(index.findByUsername(name)).toBeUndefined();
      expect(index.findByApiKey(name)).toBeUndefined();
    }
    expect(index.knownWorkspaces).toEqual(['alice']);
  });
});

describe('a users file that cannot be read', () => {
  it('is refused with what to check, not a bare system error', async () => {
    // A directory is found to be one before it is opened (issue 13: only regular files are read).
    expect(() => readUsersFileSync(FIXTURES)).toThrow(`The users file ${FIXTURES} has 1 problem:\n  - ${FIXTURES}: is a directory. A users file must be a regular file: point the path at the YAML file itself.`);
    await expect(readUsersFile(FIXTURES)).rejects.toThrow('is a directory');
  });

  it('is missing: an ENOENT error, for the caller to decide on', () => {
    expect(() => readUsersFileSync(`${FIXTURES}/nope.yml`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
