import { parseEvents } from 'js-yaml';
import { windowsOf, editableUsersYaml, type EditableUsersYaml, type PlainItem } from '../../../lib/cli/users-yaml-window';
import { loadEditedPlainFile, type PlainFile } from '../../../lib/cli/windowed-check';
import { applyTextEdits, type TextEdit } from '../../../lib/cli/yaml-text-edits';
import { UsersFileError } from '../../../lib/errors';
import { type LoadedEntry, loadUsers, loadUsersInDetail } from '../../../lib/users/load';
import { hashes } from '../../helpers';

// A big plain file's edit is checked by loading the edited entry in its place, not the whole file
// again (windowed-check.ts). Whatever that check accepts, the server's full load must accept with
// the same users and warnings; whatever the full load refuses, the check must leave to it.
const HASH = hashes.passlib_2b_cost10.hash;
const LOW_COST = hashes.htpasswd_default_2y.hash; // cost 5: a warning
const FILE = 'users.yml';

/** Entries of many kinds: quoting, comments, block scalars that take in what follows them, warnings of every kind. */
const ENTRIES = [
  `- username: alice\n  hashed_password: "${HASH}"\n  api_key: "alice-key-0123456789"\n  workspaces: [team, bob]\n`,
  `# bob is ops\n- username: bob\n  hashed_password: '${HASH}'\n  api_key: bob-key-0123456789  # rotated\n  disabled: false\n\n`,
  `- username: carol\n  hashed_password: "${LOW_COST}"\n  api_key: short\n  full_name: |+\n    Carol\n    - not an entry\n\n`,
  `-   username: dave\n    hashed_password: "${HASH}"\n    api_key: "dave-key-0123456789"\n    email: dave@example.com\n    workspaces:\n`,
  `- hashed_password: "${HASH}"\n  username: erin\n  api_key: "dave@example.com"\n  full_name: >-\n    Erin\n    Smith\n    # a comment inside? no: text\n`,
  `- username: frank\n  hashed_password: "${HASH}"\n  api_key: "frank-key-0123456789"\n  fullname: Frank\n  workspaces:\n  - team\n  - ops\n# the end of frank\n`,
];

const variants = (entries: string[]): Record<string, string> => {
  const lf = `# users\n${entries.join('')}`;
  return {
    plain: lf,
    'Windows line breaks': lf.replace(/\n/g, '\r\n'),
    'a YAML 1.1 directive and ---': `%YAML 1.1\n---\n${entries.join('')}`,
    'no final line break': lf.replace(/\n+$/, ''),
    'two entries': `${entries[0]}${entries[2]}`,
    'one entry': `${entries[1]}`,
    'ends with ...': `${lf}...\n# after the document\n`,
    'an indented list': lf.replace(/^(?!#)(.+)$/gm, '  $1'),
  };
};
const FILES = variants(ENTRIES);

function plainFile(source: string): PlainFile & { items: readonly PlainItem[] } {
  const items = windowsOf(source, parseEvents(source, { filename: FILE }), 0);
  if (!items) throw new Error('not a plain file');
  return { source, items, ...loadUsersInDetail(source, FILE) };
}

type FullLoad = { records: unknown; warnings: unknown } | 'refused';
function fullLoad(text: string): FullLoad {
  try {
    return loadUsers(text, FILE);
  } catch (error) {
    if (error instanceof UsersFileError) return 'refused';
    throw error;
  }
}

/** Edits a command makes, through the windowed editor, and raw edits no command makes but a bug or a hand might. */
function editsOf(file: PlainFile & { items: readonly PlainItem[] }): Array<[string, TextEdit[]]> {
  const yaml: EditableUsersYaml = editableUsersYaml(file.source, FILE, file.items);
  const eol = yaml.eol;
  const found: Array<[string, TextEdit[]]> = [];
  const tryEdit = (name: string, make: () => TextEdit | null) => {
    try {
      const edit = make();
      if (edit) found.push([name, [edit]]);
    } catch {
      // the editor refused this edit (e.g. a field it cannot replace safely): nothing to check
    }
  };
  const usernames = file.items.map((item) => item.username ?? '');
  const keyOf = (username: string) => file.entries.find((entry) => entry.record.user.username === username)?.record.apiKey ?? '';
  for (const [index, username] of usernames.entries()) {
    const entry = yaml.findEntry(username);
    if (!entry) continue;
    // The next user is in the context the check loads; the one three on, and three back, are not.
    for (const [which, other] of [1, 3, -3].map((step) => [step, usernames.at((index + step) % usernames.length) ?? ''] as const)) {
      const set = (name: string, key: string, value: Parameters<EditableUsersYaml['setField']>[2]) =>
        tryEdit(`${username}: ${name} (${which})`, () => yaml.setField(entry, key, value));
      set("another user's key", 'api_key', keyOf(other));
      set("the key another user's name", 'api_key', other);
      set("another user's name", 'username', other);
      set("another user's name as a workspace", 'workspaces', [other]);
    }
    const set = (name: string, key: string, value: Parameters<EditableUsersYaml['setField']>[2]) =>
      tryEdit(`${username}: ${name}`, () => yaml.setField(entry, key, value));
    set('disable', 'disabled', true);
    set('a new key', 'api_key', 'new-key-0123456789abcdef');
    set('a bad username', 'username', 'Not Valid');
    set('workspaces', 'workspaces', ['x', 'y']);
    set('a bad workspace', 'workspaces', ['bad name!']);
    set('no workspaces', 'workspaces', []);
    set('null workspaces', 'workspaces', null);
    set('a password that is no hash', 'hashed_password', 'plaintext');
    set('a low-cost hash', 'hashed_password', LOW_COST);
    set('a bad email', 'email', 'not-an-email');
    set("an email that is another's key", 'email', 'bob-key-0123456789@example.com');
    set('an unknown field', 'workspace', ['x']);
    set('fullname beside full_name', 'fullname', 'Again');
    set('disabled as a string', 'disabled', 'yes please');
    tryEdit(`${username}: remove the workspaces`, () => yaml.removeField(entry, 'workspaces'));
    tryEdit(`${username}: remove the key`, () => yaml.removeField(entry, 'api_key'));
    tryEdit(`${username}: remove the entry`, () => yaml.removeEntry(entry));
  }
  const append = (name: string, fields: Parameters<EditableUsersYaml['appendEntry']>[0]) => tryEdit(`append ${name}`, () => yaml.appendEntry(fields));
  append('a user', [['username', 'zoe'], ['hashed_password', HASH], ['api_key', 'zoe-key-0123456789'], ['workspaces', []]]);
  append('a super-user named as a workspace', [['username', 'team'], ['hashed_password', HASH], ['api_key', 'team-key-0123456789']]);
  for (const username of [usernames[0] ?? '', usernames.at(-1) ?? '']) {
    append(`a repeated username (${username})`, [['username', username], ['hashed_password', HASH], ['api_key', 'zoe-key-0123456789']]);
    append(`a repeated key (${username}'s)`, [['username', 'zoe'], ['hashed_password', HASH], ['api_key', keyOf(username)]]);
    append(`a key that is a username (${username})`, [['username', 'zoe'], ['hashed_password', HASH], ['api_key', username]]);
  }

  // Raw text at the start of each entry's lines, at the end of the file, and in the head.
  const raw = [
    `${eol}`,
    `    # indented comment${eol}`,
    `    more text${eol}`,
    `  - stray${eol}`,
    `...${eol}`,
    `---${eol}`,
    `%YAML 1.1${eol}`,
    `  full_name: "open quote${eol}`,
    `  workspaces: [open${eol}`,
    `- &anchor${eol}  username: yann${eol}  hashed_password: "${HASH}"${eol}  api_key: "yann-key-0123456789"${eol}`,
    `- username: yann${eol}  hashed_password: "${HASH}"${eol}  api_key: *anchor${eol}`,
    `- {username: yann, hashed_password: "${HASH}", api_key: yann-key-0123456789}${eol}`,
    `  - username: yann${eol}    hashed_password: "${HASH}"${eol}    api_key: "yann-key-0123456789"${eol}`,
    `- username: yann${eol}  hashed_password: "${HASH}"${eol}  api_key: "yann-key-0123456789"${eol}`,
    `\tdisabled: true${eol}`,
    `  disabled: true${eol}`,
    `  <<: {disabled: true}${eol}`,
  ];
  const offsets = [...file.items.map((item) => item.lineStart), file.source.length, 0];
  for (const at of offsets) for (const text of raw) found.push([`insert ${JSON.stringify(text)} at ${at}`, [{ start: at, end: at, text }]]);
  // Each entry's dash line replaced (the entry cut in two, or merged into the one before), and its
  // lines after the first character indented further (into the block scalar of the one before).
  for (const [index, item] of file.items.entries()) {
    const end = file.source.indexOf('\n', item.lineStart) + 1 || file.source.length;
    found.push([`replace the first line at ${item.lineStart}`, [{ start: item.lineStart, end, text: `  username: spliced${eol}` }]]);
    const windowEnd = file.items[index + 1]?.lineStart ?? file.source.length;
    const rest = file.source.slice(item.lineStart + 1, windowEnd);
    found.push([`indent the entry at ${item.lineStart}`, [{ start: item.lineStart + 1, end: windowEnd, text: `    ${rest.replace(/\n(?=.)/g, '\n    ')}` }]]);
  }
  return found;
}

describe.each(Object.entries(FILES))('a plain file (%s)', (_, source) => {
  const file = plainFile(source);
  const edits = editsOf(file);

  it('every edit the windowed check accepts loads whole with the same users and warnings, and every refusal is left to the full load', () => {
    let accepted = 0;
    for (const [name, edit] of edits) {
      const edited = applyTextEdits(source, edit);
      const windowed = loadEditedPlainFile(file, edit, edited, FILE);
      const full = fullLoad(edited);
      if (windowed === undefined) continue;
      accepted += 1;
      const shown = { records: windowed.entries.map((entry) => entry.record), warnings: windowed.warnings };
      expect({ name, result: shown }).toEqual({ name, result: full });
    }
    // Not vacuous: most edits of a command are taken by the windowed check.
    expect(accepted).toBeGreaterThan(file.items.length);
  });
});

it.each(['plain', 'two entries'])('takes the edits commands make of the first, a middle and the last entry, and appends (%s)', (name) => {
  // In 'two entries' alice's lines end where carol's start: what is added to alice goes there.
  const source = FILES[name] ?? '';
  const file = plainFile(source);
  const yaml = editableUsersYaml(source, FILE, file.items);
  const usernames = file.items.map((item) => item.username ?? '');
  for (const username of usernames) {
    const entry = yaml.findEntry(username);
    if (!entry) throw new Error(username);
    for (const edit of [yaml.setField(entry, 'disabled', true), yaml.setField(entry, 'api_key', `${username}-new-key-0123456789`), yaml.removeEntry(entry)]) {
      expect({ username, edit, taken: loadEditedPlainFile(file, [edit], applyTextEdits(source, [edit]), FILE) !== undefined }).toEqual({ username, edit, taken: true });
    }
  }
  const added = yaml.appendEntry([['username', 'zoe'], ['hashed_password', HASH], ['api_key', 'zoe-key-0123456789']]);
  const result = loadEditedPlainFile(file, [added], applyTextEdits(source, [added]), FILE);
  expect(result?.entries.map((entry) => entry.record.user.username)).toEqual([...usernames, 'zoe']);
});

it('leaves to the full load an edit that changes the entry before it (its block scalar takes in the lines after it)', () => {
  const [bob, carol] = ['bob', 'carol'].map((name) => `- username: ${name}\n  hashed_password: "${HASH}"\n  api_key: "${name}-key-0123456789"\n`);
  const source = `  - username: alice\n    hashed_password: "${HASH}"\n    api_key: "alice-key-0123456789"\n    full_name: |\n      Alice\n${`${bob}${carol}`.replace(/^(.+)$/gm, '  $1')}`;
  const file = plainFile(source);
  const [bobStart, carolStart] = [file.items[1]?.lineStart ?? -1, file.items[2]?.lineStart ?? -1];
  // Bob's lines, from the second space of his dash line on, indented into Alice's full name.
  const rest = source.slice(bobStart + 1, carolStart);
  const edit = { start: bobStart + 1, end: carolStart, text: `    ${rest.replace(/\n(?=.)/g, '\n    ')}` };
  const edited = applyTextEdits(source, [edit]);
  const full = fullLoad(edited);
  expect(full !== 'refused' && (full.records as Array<{ user: { full_name: string } }>)[0]?.user.full_name).toContain('username: bob');
  expect(loadEditedPlainFile(file, [edit], edited, FILE)).toBeUndefined();
});

it('leaves to the full load an edit after which the entry after it would not read as before', () => {
  // No text edit was found that does this (js-yaml refuses a quote or a scalar continued at the
  // list's column), so the entry after is told apart here by what the file had recorded of it.
  const source = FILES.plain ?? '';
  const file = plainFile(source);
  const yaml = editableUsersYaml(source, FILE, file.items);
  const bob = yaml.findEntry('bob');
  if (!bob) throw new Error('bob');
  const edit = yaml.setField(bob, 'disabled', true);
  const edited = applyTextEdits(source, [edit]);
  expect(loadEditedPlainFile(file, [edit], edited, FILE)).toBeDefined();
  const recordedOtherwise = (change: (entry: LoadedEntry) => LoadedEntry) =>
    file.entries.map((entry) => (entry.record.user.username === 'carol' ? change(entry) : entry));
  for (const entries of [
    recordedOtherwise((entry) => ({ ...entry, record: { ...entry.record, apiKey: 'other' } })),
    recordedOtherwise((entry) => ({ ...entry, workspacesWithoutValue: !entry.workspacesWithoutValue })), // its warning
  ]) {
    expect(loadEditedPlainFile({ ...file, entries }, [edit], edited, FILE)).toBeUndefined();
  }
});

it('leaves to the full load a repeated username or key', () => {
  const source = FILES.plain ?? '';
  const file = plainFile(source);
  const yaml = editableUsersYaml(source, FILE, file.items);
  const [alice, frank] = [yaml.findEntry('alice'), yaml.findEntry('frank')];
  if (!alice || !frank) throw new Error('alice, frank');
  // Far apart: neither is in the context of the other's edit.
  for (const edit of [
    yaml.setField(frank, 'username', 'alice'),
    yaml.setField(frank, 'api_key', 'alice-key-0123456789'),
    yaml.setField(alice, 'username', 'frank'),
    yaml.setField(alice, 'api_key', 'frank-key-0123456789'),
  ]) {
    const edited = applyTextEdits(source, [edit]);
    expect(fullLoad(edited)).toBe('refused');
    expect(loadEditedPlainFile(file, [edit], edited, FILE)).toBeUndefined();
  }
});
