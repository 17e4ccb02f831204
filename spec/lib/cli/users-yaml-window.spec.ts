import { UsersYaml } from '../../../lib/cli/users-yaml';
import { parseEvents } from 'js-yaml';
import { editableUsersYaml, type EditableUsersYaml, windowsOf } from '../../../lib/cli/users-yaml-window';
import { applyTextEdits } from '../../../lib/cli/yaml-text-edits';
import { hashes } from '../../helpers';

// A big users file is edited through the one entry a command touches (users-yaml-window.ts).
// Every edit must come out byte for byte as the whole-file parse (users-yaml.ts) makes it.
const HASH = hashes.passlib_2b_cost10.hash;

const PLAIN_FILES: Record<string, string> = {
  'comments and blank lines': `# staff\n\n- username: alice\n  hashed_password: ${HASH}\n  api_key: "alice-key-0123456789"  # rotated in May\n  workspaces: [team]\n\n# bob is ops\n- username: bob\n  hashed_password: '${HASH}'\n  api_key: bob-key-0123456789\n  disabled: false\n# the end\n`,
  'an indented list, wide dash, no final line break': `  - username: alice\n    hashed_password: "${HASH}"\n    api_key: "alice-key-0123456789"\n  -   username: bob\n      hashed_password: "${HASH}"\n      api_key: "bob-key-0123456789"\n      workspaces:\n        - a\n        - b`,
  'Windows line breaks': `- username: alice\r\n  hashed_password: "${HASH}"\r\n  api_key: "alice-key-0123456789"\r\n- username: bob\r\n  hashed_password: "${HASH}"\r\n  api_key: "bob-key-0123456789"\r\n  workspaces: []\r\n`,
  'username not first, block scalar': `- hashed_password: "${HASH}"\n  username: alice\n  api_key: "alice-key-0123456789"\n  full_name: |\n    Alice\n    - not an entry\n- username: bob\n  hashed_password: "${HASH}"\n  api_key: "bob-key-0123456789"\n`,
};

/** The windows of a file of any size: undefined when it is not plain. */
const windowsOfAnySize = (source: string) => windowsOf(source, parseEvents(source, { filename: 'users.yml' }), 0);

type Operation = [string, (yaml: EditableUsersYaml) => ReturnType<UsersYaml['setField']> | null];
const entryOf = (yaml: EditableUsersYaml, username: string) => {
  const entry = yaml.findEntry(username);
  if (!entry) throw new Error(`no entry for ${username}`);
  return entry;
};
const operations = (username: string): Operation[] => [
  ['disable', (yaml) => yaml.setField(entryOf(yaml, username), 'disabled', true)],
  ['set the key', (yaml) => yaml.setField(entryOf(yaml, username), 'api_key', 'new-key-0123456789')],
  ['set the workspaces', (yaml) => yaml.setField(entryOf(yaml, username), 'workspaces', ['x', 'y'])],
  ['remove the workspaces', (yaml) => yaml.removeField(entryOf(yaml, username), 'workspaces')],
  ['remove the entry', (yaml) => yaml.removeEntry(entryOf(yaml, username))],
  ['append an entry', (yaml) => yaml.appendEntry([['username', 'carol'], ['hashed_password', HASH], ['api_key', 'carol-key-0123456789'], ['workspaces', []]])],
];

describe.each(Object.entries(PLAIN_FILES))('a plain file (%s)', (_, source) => {
  const windowed = () => editableUsersYaml(source, 'users.yml', windowsOfAnySize(source));

  it('is edited one entry at a time', () => {
    expect(windowed()).not.toBeInstanceOf(UsersYaml);
  });

  it.each(['alice', 'bob'])('every edit of %s comes out as the whole-file parse makes it', (username) => {
    for (const [name, operation] of operations(username)) {
      const whole = operation(UsersYaml.parse(source, 'users.yml'));
      const window = operation(windowed());
      expect({ name, edit: window }).toEqual({ name, edit: whole });
      if (whole) expect(applyTextEdits(source, [window ?? whole])).toBe(applyTextEdits(source, [whole]));
    }
  });
});

it.each([
  ['anchors and aliases', `- &a\n  username: alice\n  hashed_password: "${HASH}"\n  api_key: "alice-key-0123456789"\n- username: bob\n  hashed_password: "${HASH}"\n  api_key: "bob-key-0123456789"\n  workspaces: *w\n`],
  ['a flow entry', `- {username: alice, hashed_password: "${HASH}", api_key: "alice-key-0123456789"}\n`],
  ['a dash on a line of its own', `-\n  username: alice\n  hashed_password: "${HASH}"\n  api_key: "alice-key-0123456789"\n`],
  ['a flow list of users', `[{username: alice}]\n`],
])('a file with %s is parsed whole', (_, source) => {
  expect(windowsOfAnySize(source)).toBeUndefined();
  expect(editableUsersYaml(source, 'users.yml', windowsOfAnySize(source))).toBeInstanceOf(UsersYaml);
});

it('a small file is parsed whole', () => {
  const source = PLAIN_FILES['comments and blank lines'] ?? '';
  expect(windowsOf(source, parseEvents(source, { filename: 'users.yml' }))).toBeUndefined();
});
