import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseUsersFile, UsersFileError, UsersIndex } from '../../../lib/index';
import { loadUsers, loadUsersInDetail } from '../../../lib/users/load';
import { readUsersFile, readUsersFileSync } from '../../../lib/users/read-file';
import { formatWarnings } from '../../../lib/users/warnings';
import { parseYaml } from '../../../lib/users/yaml';
import { entry, FIXTURES, hashes, USERS_FILE } from '../../helpers';
import { describeWithTool, hasPyYaml, PYTHON } from '../../system-tools';

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

const HASH = hashes.passlib_2b_cost10.hash;
const withCost = (cost: number) => HASH.replace('$10$', `$${String(cost).padStart(2, '0')}$`);
const loaded = (yaml: string) => loadUsers(yaml, 'users.yml');
const byUsername = (yaml: string) => new Map(loaded(yaml).records.map((record) => [record.user.username, record.user]));

describe('YAML as Argilla reads it (PyYAML): merge keys and YAML 1.1 booleans', () => {
  const defaults = `- &defaults\n  username: template\n  hashed_password: "${HASH}"\n  api_key: "template-key-0123456789abcdef"\n  disabled: yes\n  workspaces: [shared]\n`;

  it('merges `<<: *defaults` into an entry; the entry\'s own fields win', () => {
    const users = byUsername(`${defaults}- <<: *defaults\n  username: bob\n  api_key: "bob-key-0123456789abcdef"\n  disabled: Off\n`);
    expect(users.get('bob')).toEqual({ username: 'bob', email: null, full_name: null, disabled: false, workspaces: ['shared'], superuser: false });
    expect(users.get('template')?.disabled).toBe(true);
  });

  it('merges a list of mappings, the earlier ones first: `<<: [*team, *defaults]`', () => {
    const team = '- &team {username: team-template, hashed_password: "' + HASH + '", api_key: "team-key-0123456789abcdef", workspaces: [team]}\n';
    const users = byUsername(`${defaults}${team}- <<: [*team, *defaults]\n  username: carol\n  api_key: "carol-key-0123456789abcdef"\n`);
    expect(users.get('carol')).toMatchObject({ workspaces: ['team'], disabled: true });
  });

  it.each(['yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE'])('reads `disabled: %s` as true', (value) => {
    expect(byUsername(entry('d', { disabled: value })).get('d')?.disabled).toBe(true);
  });

  it.each(['no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE'])('reads `disabled: %s` as false', (value) => {
    expect(byUsername(entry('d', { disabled: value })).get('d')?.disabled).toBe(false);
  });

  it.each(['y', 'Y', 'n', 'N', 'yEs', 'oN', '1', '"yes"'])('refuses `disabled: %s`, which PyYAML does not read as a boolean either', (value) => {
    expect(problemsOf(entry('d', { disabled: value }))).toEqual([expect.stringContaining('field "disabled": must be true or false. It is ')]);
  });

  it('stays strict: a field merged in is checked like any other, and numbers stay numbers', () => {
    const typo = `- &typo {workspace: [team]}\n- <<: *typo\n  username: eve\n  hashed_password: "${HASH}"\n  api_key: "eve-key-0123456789abcdef"\n`;
    const problems = problemsOf(typo);
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('entry 1 (no username), field "workspace": is not a known field'),
        expect.stringContaining('entry 2 (eve), field "workspace": is not a known field. Did you mean "workspaces"?'),
      ]),
    );
    expect(problemsOf(entry('n', { api_key: '0x1F' }))).toEqual([expect.stringContaining('field "api_key": must be a string, not a number')]);
    expect(problemsOf(`${entry('k')}  123: numeric-key\n`)).toEqual([expect.stringContaining('field "123": is not a known field')]);
  });
});

describeWithTool('PyYAML', hasPyYaml)('parity with PyYAML itself (what Argilla reads users files with)', () => {
  const pyyaml = (script: string, input: string): unknown => {
    const result = spawnSync(PYTHON, ['-c', `import sys, json, yaml\n${script}`], { input, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout);
  };

  it('reads every scalar as PyYAML does: the same booleans exactly, and never a string where PyYAML reads anything else', () => {
    const scalars = [
      'yes', 'Yes', 'YES', 'yEs', 'y', 'Y', 'n', 'N', 'no', 'No', 'NO', 'nO', 'true', 'True', 'TRUE', 'tRue', 'false', 'False', 'FALSE',
      'on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF', '~', 'null', 'Null', 'NULL', 'nULL', '', '0123', '0o17', '0x1F', '0b101', '1_000',
      '1:20', '0:30', '190:20:30', '-1:20', '1e3', '1.0e3', '1.0e+3', '.5', '-.5', '+.5', '1.', '.inf', '-.Inf', '.NaN', '2001-12-14',
      '2001-12-14t21:59:43.10-05:00', '2002-1-1', 'abc', '12abc', '1.2.3', '+12', '-0', '08', '09.5', '0b2', '1:60', '1,000', '=', '<<',
    ];
    const theirs = pyyaml(
      `out = []
for s in json.load(sys.stdin):
    try:
        v = yaml.safe_load('- ' + s)[0]
        out.append(v if isinstance(v, bool) else 'str' if isinstance(v, str) else 'other')
    except yaml.YAMLError:
        out.append('error')
print(json.dumps(out))`,
      JSON.stringify(scalars),
    ) as (boolean | 'str' | 'other' | 'error')[];
    const ours = scalars.map((scalar) => {
      const value = (parseYaml(`- ${scalar}`, 'users.yml').document as unknown[])[0];
      return typeof value === 'boolean' ? value : typeof value === 'string' ? 'str' : 'other';
    });
    const booleans = scalars.filter((_, i) => typeof theirs[i] === 'boolean' || typeof ours[i] === 'boolean');
    expect(booleans.map((scalar) => ours[scalars.indexOf(scalar)])).toEqual(booleans.map((scalar) => theirs[scalars.indexOf(scalar)]));
    // Where PyYAML reads no string, a string field must not get one here either.
    expect(scalars.filter((_, i) => theirs[i] !== 'str' && ours[i] === 'str')).toEqual(['=', '<<']); // PyYAML cannot load these at all
    // Stricter here, never looser: these are numbers here (refused in a string field), strings in PyYAML.
    expect(scalars.filter((_, i) => theirs[i] === 'str' && ours[i] !== 'str')).toEqual(['0:30', '-.5', '+.5']);
  });

  it('reads a file with merge keys and YAML 1.1 booleans as PyYAML does', () => {
    const file = [
      `- &defaults\n  username: template\n  hashed_password: "${HASH}"\n  api_key: "template-key-0123456789abcdef"\n  disabled: YES\n  workspaces: [shared]\n`,
      '- <<: *defaults\n  username: bob\n  api_key: "bob-key-0123456789abcdef"\n  disabled: off\n',
      '- &team {username: team-lead, hashed_password: "' + HASH + '", api_key: "lead-key-0123456789abcdef", email: lead@example.com, workspaces: [team]}\n',
      '- <<: [*team, *defaults]\n  username: carol\n  api_key: "carol-key-0123456789abcdef"\n',
    ].join('');
    expect(parseYaml(file, 'users.yml').document).toEqual(pyyaml('print(json.dumps(yaml.safe_load(sys.stdin.read())))', file));
    expect(loaded(file).records.map((record) => record.user.username)).toEqual(['template', 'bob', 'team-lead', 'carol']);
  });
});

describe('YAML aliases: bounded expansion', () => {
  // Nine levels of nine aliases: 387,420,489 strings once expanded, in 536 bytes.
  const levels = 'abcdefghi'.split('');
  const bomb =
    `[&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` +
    levels.slice(1).map((level, i) => `, &${level} [${Array(9).fill(`*${levels[i] ?? ''}`).join(', ')}]`).join('') +
    ']';
  const bombIn = (field: string) => `- username: mallory\n  hashed_password: "${HASH}"\n  api_key: "mallory-key-0123456789"\n  ${field}: ${bomb}\n`;

  it('refuses a 536-byte alias bomb in `email`, naming its line, entry and field', () => {
    const file = bombIn('email');
    expect(file.length).toBe(536);
    const problems = problemsOf(file);
    expect(problems).toEqual([
      expect.stringMatching(/^users\.yml:4:\d+, entry 1 \(mallory\), field "email": uses YAML aliases that expand to more than 1,000,000 values \(an "alias bomb"\)/),
    ]);
  });

  it('refuses it in `workspaces` and as a whole entry too', () => {
    expect(problemsOf(bombIn('workspaces'))).toEqual([expect.stringContaining('entry 1 (mallory), field "workspaces": uses YAML aliases that expand to more than')]);
    expect(problemsOf(`${entry('ok')}- x: ${bomb}\n- *i\n`)).toEqual([expect.stringMatching(/^users\.yml:\d+:\d+, entry 2 \(no username\), field "x": uses YAML aliases/)]);
  });

  it('refuses an alias inside its own anchor, a loop', () => {
    expect(problemsOf(`${entry('loop', { workspaces: '&w [team, *w]' })}`)).toEqual([
      expect.stringMatching(/entry 1 \(loop\), field "workspaces": has an alias inside the anchor it refers to: a loop that never ends/),
    ]);
  });

  it('loads a big file that uses an alias per user, as Argilla files with `<<: *defaults` do', () => {
    const users = Array.from({ length: 3000 }, (_, i) => `- <<: *defaults\n  username: user-${i}\n  api_key: "key-of-user-${i}-0123456789"\n`);
    const file = `- &defaults\n  username: template\n  hashed_password: "${HASH}"\n  api_key: "template-key-0123456789abcdef"\n  workspaces: [a, b, c, d, e]\n${users.join('')}`;
    expect(loaded(file).records).toHaveLength(3001);
  });
});

describe('reports never print a value that may be a secret, and escape what they show', () => {
  const secret = 'sk-live-51HxQ2eZvKYlo2CeR8f0aPq';

  it('describes a secret pasted into another field, and never repeats it', () => {
    for (const [field, value] of [['email', secret], ['full_name', '[1, 2]'], ['fullname', '12345'], ['disabled', `"${secret}"`]] as const) {
      const problems = problemsOf(entry('leaky', { [field]: value === secret ? `"${value}"` : value }));
      expect(problems).toHaveLength(1);
      expect(problems.join()).not.toContain(secret);
    }
    expect(problemsOf(entry('leaky', { full_name: '[1, 2]' }))).toEqual(['users.yml: entry 1 (leaky), field "full_name": must be a string, not a list: put the value in quotes.']);
  });

  it('never quotes the file in a YAML syntax error (the line may hold a key)', () => {
    const problems = problemsOf(`- username: a\n  api_key: "${secret}\n  x: [\n`);
    expect(problems).toEqual([expect.stringMatching(/^users\.yml:\d+:\d+: is not valid YAML: /)]);
    expect(problems.join()).not.toContain('sk-live');
  });

  it('escapes control characters, so a username cannot forge report lines', () => {
    // A line feed, an escape sequence, the one-byte CSI of C1 and a right-to-left override.
    const forged = JSON.stringify('eve\n  - users.yml: ok\u001b[2K\u009b2K\u202e');
    let error: UsersFileError | undefined;
    try {
      parseUsersFile(entry(forged, { email: 'x' }), 'users.yml');
    } catch (caught) {
      error = caught as UsersFileError;
    }
    expect(error?.problems).toHaveLength(2);
    expect(error?.message.split('\n')).toHaveLength(3);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the spec looks for control characters that must not be there.
    expect(error?.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(error?.message).toContain('entry 1 ("eve\\n  - users.yml: ok\\u001b[2K\\u009b2K\\u202e")');
  });

  it('cuts long values it may show to 40 characters, saying how long they were', () => {
    const long = 'w'.repeat(300);
    expect(problemsOf(entry('ws', { workspaces: `["-${long}"]` }))).toEqual([
      expect.stringContaining(`field "workspaces"[0]: "-${'w'.repeat(39)}..." (301 characters) is not a valid workspace name`),
    ]);
    expect(problemsOf(`${entry('keys')}  ${long}: 1\n`)).toEqual([expect.stringContaining(`field "${'w'.repeat(40)}..." (300 characters): is not a known field`)]);
  });
});

describe('bcrypt cost: above 15 refused, below 10 a warning', () => {
  it.each([
    [16, 'about 3 s'],
    [17, 'about 7 s'],
    [31, 'about 31 hours'],
  ])('refuses cost %i, saying what a login costs (%s)', (cost, time) => {
    const problems = problemsOf(entry('slow', { hashed_password: `"${withCost(cost)}"` }));
    expect(problems).toEqual([
      expect.stringContaining(`entry 1 (slow), field "hashed_password": is not usable: it has bcrypt cost ${cost}: each login would take ${time} of a core (cost 12 takes about 0.21 s, and every step doubles it)`),
    ]);
    expect(problems[0]).toContain('Use a cost from 10 to 15.');
  });

  it('accepts cost 15, and 10 without a warning', () => {
    expect(loaded(entry('fifteen', { hashed_password: `"${withCost(15)}"` })).warnings).toEqual([]);
    expect(loaded(entry('ten', { hashed_password: `"${withCost(10)}"` })).warnings).toEqual([]);
  });

  it('warns below cost 10, as `htpasswd -nbB` makes by default (cost 5)', () => {
    expect(loaded(entry('weak', { hashed_password: `"${hashes.htpasswd_default_2y.hash}"` })).warnings).toEqual([
      {
        where: 'users.yml: entry 1 (weak), field "hashed_password"',
        message: expect.stringMatching(/^has bcrypt cost 5, below the recommended 10: if the file leaks, its passwords are cheap to guess\./),
        entry: 0,
      },
    ]);
  });
});

describe('warnings: legal, loaded, and reported beside the users', () => {
  const warningsOf = (yaml: string) => loaded(yaml).warnings.map((warning) => `${warning.where}: ${warning.message}`);

  it('warns that `workspaces:` with no value makes a super-user', () => {
    expect(warningsOf(entry('open', { workspaces: '' }))).toEqual([
      'users.yml: entry 1 (open), field "workspaces": has no value, which makes this user a super-user with access to every workspace (as in Argilla). Leave the field out if that is meant, or write `workspaces: []` for the user workspace only.',
    ]);
    expect(warningsOf(entry('closed', { workspaces: '[]' }))).toEqual([]);
    expect(warningsOf(entry('super'))).toEqual([]);
  });

  it("warns when a team workspace is another user's username, not the user's own", () => {
    expect(warningsOf(entry('bob', { workspaces: '[bob]' }) + entry('alice', { workspaces: '[team, bob]' }))).toEqual([
      'users.yml: entry 2 (alice), field "workspaces": "bob" is also the username of entry 1: it is that user\'s own workspace, which this user then shares. Rename the team workspace, unless that is meant.',
    ]);
  });

  it.each([
    ['"Zq9"', 'is shorter than 16 characters (3): a short key is easy to guess.'],
    ['"  padded-key-0123456789abcdef  "', 'starts or ends with whitespace, which HTTP strips from header values: no request can present this key.'],
    ['"schlüssel-0123456789abcdef"', 'has characters outside printable ASCII, which HTTP headers cannot carry: no request can present this key.'],
    ['"tab\\tin-key-0123456789abcdef"', 'has characters outside printable ASCII, which HTTP headers cannot carry: no request can present this key.'],
  ])('warns about the API key %s, never repeating it', (apiKey, message) => {
    const warnings = warningsOf(entry('keyed', { api_key: apiKey }));
    expect(warnings).toEqual([`users.yml: entry 1 (keyed), field "api_key": ${message} Make a new one with \`npx express-workspace-auth gen-api-key\`.`]);
    expect(warnings.join()).not.toContain(JSON.parse(apiKey) as string);
  });

  it("warns about an API key equal to a user's username or email", () => {
    const file = entry('alice-in-wonderland', { email: 'alice@example.com' }) + entry('bob', { api_key: 'alice-in-wonderland' }) + entry('carol', { api_key: '"alice@example.com"' });
    expect(warningsOf(file)).toEqual([
      'users.yml: entry 2 (bob), field "api_key": is the same as the username of entry 1: anyone who knows that knows the key. Make a new one with `npx express-workspace-auth gen-api-key`.',
      'users.yml: entry 3 (carol), field "api_key": is the same as the email of entry 1: anyone who knows that knows the key. Make a new one with `npx express-workspace-auth gen-api-key`.',
    ]);
  });

  it('formats warnings as reports do', () => {
    const file = entry('open', { workspaces: '' });
    expect(formatWarnings('users.yml', loaded(file).warnings)).toBe(
      'The users file users.yml has 1 warning:\n  - users.yml: entry 1 (open), field "workspaces": has no value, which makes this user a super-user with access to every workspace (as in Argilla). Leave the field out if that is meant, or write `workspaces: []` for the user workspace only.',
    );
  });

  it('keeps parseUsersFile for callers that want only the users', () => {
    expect(parseUsersFile(entry('x', { api_key: '"x"' }), 'users.yml').map((record) => record.user.username)).toEqual(['x']);
  });
});

describe('what the loader holds and loads', () => {
  const CHILD = path.join(__dirname, '..', '..', 'fixtures', 'users-file-child.ts');
  const child = (flags: string[], ...args: string[]) => {
    const result = spawnSync(process.execPath, [...flags, '--import', 'tsx', CHILD, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    return result.stdout.trim();
  };

  it("does not keep the file's text alive through the users' strings", () => {
    const { textLength, held, users } = JSON.parse(child(['--expose-gc'], 'heap', '4000')) as { textLength: number; held: number; users: number };
    expect(users).toBe(4000);
    expect(textLength).toBeGreaterThan(8_000_000);
    // The users take ~2-3 MB; one slice kept would hold all 8+ MB of text.
    expect(held).toBeLessThan(textLength / 2);
  }, 60_000);

  it('loads no native bcrypt: the loader, the reader, the index, the watcher and the environment reader', () => {
    expect(child([], 'modules')).toBe('[]');
  }, 60_000);
});

describe('loadUsersInDetail (the CLI\'s load)', () => {
  it('gives the users and warnings of loadUsers, with or without copies of the values, and no warnings when asked for none', () => {
    const file = `${entry('alice', { workspaces: '[team, bob]' })}${entry('bob', { hashed_password: `"${hashes.htpasswd_default_2y.hash}"`, api_key: 'short' })}`;
    const whole = loadUsers(file, 'users.yml');
    expect(whole.warnings.length).toBeGreaterThan(0);
    for (const detach of [true, false]) {
      const detailed = loadUsersInDetail(file, 'users.yml', { detach });
      expect({ records: detailed.entries.map((loaded) => loaded.record), warnings: detailed.warnings }).toEqual(whole);
      expect(loadUsersInDetail(file, 'users.yml', { detach, warnings: false }).warnings).toEqual([]);
    }
  });
});
