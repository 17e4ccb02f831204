import { UsersIndex, type UserRecord } from '../../../lib/index';
import { hashes } from '../../helpers';

const HASH = hashes.htpasswd_cost10_2y.hash;

function record(username: string, workspaces: string[] | null, apiKey = `${username}-api-key`): UserRecord {
  return {
    user: { username, email: null, full_name: null, disabled: false, workspaces, superuser: workspaces === null },
    hashedPassword: HASH,
    apiKey,
  };
}

const userOf = (index: UsersIndex, username: string) => {
  const found = index.findByUsername(username);
  if (!found) throw new Error(`${username} is not in the index`);
  return found.user;
};

describe('UsersIndex: team-workspace lists', () => {
  it('shares one frozen list between users who name the same teams, so a change to one reaches no other', () => {
    const index = new UsersIndex([record('ann', ['red', 'blue']), record('bob', ['red', 'blue']), record('cat', [])], 'users.yml');
    const [ann, bob] = [userOf(index, 'ann'), userOf(index, 'bob')];
    expect(ann.workspaces).toBe(bob.workspaces);
    expect(Object.isFrozen(ann.workspaces)).toBe(true);
    expect(Object.isFrozen(userOf(index, 'cat').workspaces)).toBe(true);
    expect(() => (ann.workspaces as string[]).push('green')).toThrow(TypeError);
    expect(() => (userOf(index, 'cat').workspaces as string[]).push('green')).toThrow(TypeError);
    expect(index.canAccess(bob, 'green')).toBe(false);
    expect(index.canAccess(userOf(index, 'cat'), 'green')).toBe(false);
  });

  it('keeps apart lists that a separator would run together', () => {
    const index = new UsersIndex([record('ann', ['a', 'b']), record('bob', ['a,b']), record('cat', ['a\nb'])], 'users.yml');
    expect(userOf(index, 'ann').workspaces).toEqual(['a', 'b']);
    expect(userOf(index, 'bob').workspaces).toEqual(['a,b']);
    expect(userOf(index, 'cat').workspaces).toEqual(['a\nb']);
    expect(index.canAccess(userOf(index, 'bob'), 'a')).toBe(false);
    expect(index.canAccess(userOf(index, 'cat'), 'b')).toBe(false);
  });

  it("keeps each user's list in file order, each name once", () => {
    const index = new UsersIndex([record('ann', ['red', 'blue', 'red'])], 'users.yml');
    expect(userOf(index, 'ann').workspaces).toEqual(['red', 'blue']);
  });

  it('leaves the records it is given as they were', () => {
    const given = [record('ann', ['red']), record('bob', ['red']), record('cat', null)];
    const lists = given.map((entry) => entry.user.workspaces);
    const index = new UsersIndex(given, 'users.yml');
    expect(given.map((entry) => entry.user.workspaces)).toEqual([['red'], ['red'], null]);
    for (const [i, entry] of given.entries()) expect(entry.user.workspaces).toBe(lists[i]);
    expect(Object.isFrozen(given[0]?.user.workspaces)).toBe(false);
    expect(userOf(index, 'ann')).toEqual(given[0]?.user);
  });
});

describe('UsersIndex: known workspaces and super-users', () => {
  const index = new UsersIndex([record('zed', ['red', 'blue']), record('ann', ['red']), record('root', null), record('off', ['green'])], 'users.yml');
  const root = userOf(index, 'root');

  it('knows each username and each team workspace once, sorted', () => {
    expect(index.knownWorkspaces).toEqual(['ann', 'blue', 'green', 'off', 'red', 'root', 'zed']);
    expect(index.knownWorkspaces).toBe(index.knownWorkspaces);
  });

  it('lets a super-user into every known workspace and no other', () => {
    for (const workspace of index.knownWorkspaces) expect(index.canAccess(root, workspace)).toBe(true);
    for (const workspace of ['purple', 'constructor', '__proto__', 'toString', 'has', 'size', '']) expect(index.canAccess(root, workspace)).toBe(false);
  });

  it('gives a fresh sorted list per call, which the caller may change', () => {
    const first = index.workspacesOf(root);
    first.push('mine');
    expect(index.workspacesOf(root)).toEqual(index.knownWorkspaces);
    expect(index.workspacesOf(userOf(index, 'zed'))).toEqual(['blue', 'red', 'zed']);
    expect(index.workspacesOf(userOf(index, 'zed'))).not.toBe(index.workspacesOf(userOf(index, 'zed')));
  });
});

describe('UsersIndex: API keys', () => {
  it('finds a user by the whole key, of any characters, and by nothing else', () => {
    const keys = ['key-\u0101', 'ключ-🔑', 'k'.repeat(1024), 'key-plain'];
    const index = new UsersIndex(keys.map((key, i) => record(`user${i}`, [], key)), 'users.yml');
    for (const [i, key] of keys.entries()) expect(index.findByApiKey(key)?.user.username).toBe(`user${i}`);
    // The same low bytes in another character (U+0001 beside U+0101), a prefix, a case change, the digest's own forms.
    for (const other of ['key-\u0001', 'key-\u0100', 'ключ-', 'k'.repeat(1023), 'KEY-PLAIN', 'key-plain ', '']) {
      expect(index.findByApiKey(other)).toBeUndefined();
    }
  });
});
