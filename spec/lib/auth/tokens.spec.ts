import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ConfigError, MemoryRevocationList, workspaceAuth, type RevocationList, type UserRecord, type WorkspaceAuthOptions } from '../../../lib/index';
import { createRevocationList } from '../../../lib/store/shared-revocations';
import { createTokenService } from '../../../lib/auth/tokens';
import { hashes, recordingLogger, SECRET, tempDir } from '../../helpers';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const record = (username: string, hashedPassword = hashes.passlib_2b_cost10.hash): UserRecord => ({
  user: { username, email: null, full_name: null, disabled: false, workspaces: [], superuser: false },
  hashedPassword,
  apiKey: `${username}-key-0123456789abcdef`,
});

describe('MemoryRevocationList', () => {
  it('answers synchronously whether a token id was revoked', async () => {
    const list = new MemoryRevocationList();
    await list.revoke('a'.repeat(22), nowSeconds() + 600);
    expect(list.isRevoked('a'.repeat(22))).toBe(true);
    expect(list.isRevoked('b'.repeat(22))).toBe(false);
    expect(list.isRevoked('__proto__')).toBe(false);
    expect(list.isRevoked('constructor')).toBe(false);
  });

  it('keeps nothing for a token that has already expired', async () => {
    const list = new MemoryRevocationList();
    await list.revoke('expired', nowSeconds() - 1);
    expect(list.size).toBe(0);
  });

  it('drops entries once their tokens have expired, with no timer, at the next sweep', async () => {
    const list = new MemoryRevocationList();
    const soon = nowSeconds() + 1;
    // A long-lived entry first: entries are not in expiry order, and the sweep must look past it.
    await list.revoke('long-lived', nowSeconds() + 3600);
    for (let i = 0; i < 1000; i += 1) await list.revoke(`short-${i}`, soon);
    await sleep((soon + 0.1) * 1000 - Date.now());
    for (let i = 0; i < 100; i += 1) await list.revoke(`later-${i}`, nowSeconds() + 3600);
    expect(list.size).toBe(101);
    expect(list.isRevoked('long-lived')).toBe(true);
    expect(list.isRevoked('short-0')).toBe(false);
  });

  it('never drops an entry whose token is still alive, however many sweeps run', async () => {
    const list = new MemoryRevocationList();
    const far = nowSeconds() + 3600;
    for (let i = 0; i < 5000; i += 1) await list.revoke(`live-${i}`, far);
    expect(list.size).toBe(5000);
    expect(list.isRevoked('live-0') && list.isRevoked('live-4999')).toBe(true);
  });
});

describe('the revocation list with a shared store', () => {
  const logger = () => recordingLogger();

  it('is memory alone without a shared store', () => {
    expect(createRevocationList(undefined, logger())).toBeInstanceOf(MemoryRevocationList);
  });

  it('writes every logout to memory and to the shared store, and answers from memory first, synchronously', async () => {
    const shared = new MemoryRevocationList();
    const list = createRevocationList(shared, logger());
    await list.revoke('t1', nowSeconds() + 60);
    expect(shared.isRevoked('t1')).toBe(true);
    expect(list.isRevoked('t1')).toBe(true);
  });

  it('asks the shared store about tokens this instance has not seen logged out, synchronously or not', async () => {
    const shared = new MemoryRevocationList();
    await shared.revoke('elsewhere', nowSeconds() + 60);
    expect(createRevocationList(shared, logger()).isRevoked('elsewhere')).toBe(true);
    const promised: RevocationList = { revoke: async () => undefined, isRevoked: async (id) => id === 'elsewhere' };
    const list = createRevocationList(promised, logger());
    await expect(list.isRevoked('elsewhere')).resolves.toBe(true);
    await expect(list.isRevoked('live')).resolves.toBe(false);
  });

  it('falls back to memory when the store throws or rejects, reports it once, and reports the end of it once', async () => {
    let down = true;
    const failure = () => new Error('ECONNREFUSED 127.0.0.1:6379');
    const flaky: RevocationList = {
      revoke: async () => {
        if (down) throw failure();
      },
      isRevoked: (id) => {
        if (down) throw failure();
        return id === 'elsewhere';
      },
    };
    const report = logger();
    // Asked again at every request while failing (retryMs 0), to show the recovery at once.
    const list = createRevocationList(flaky, report, { timeoutMs: 200, retryMs: 0 });
    await list.revoke('here', nowSeconds() + 60);
    expect(list.isRevoked('here')).toBe(true);
    expect(list.isRevoked('other')).toBe(false);
    expect(list.isRevoked('other')).toBe(false);
    expect(report.lines).toEqual([expect.stringMatching(/^error: The shared revocation list failed \(ECONNREFUSED 127.0.0.1:6379\)/)]);
    down = false;
    expect(list.isRevoked('elsewhere')).toBe(true);
    expect(list.isRevoked('other')).toBe(false);
    expect(report.lines).toHaveLength(2);
    expect(report.lines[1]).toMatch(/^info: The shared revocation list answers again/);
  });

  it('does not wait on a store that does not answer: memory answers after timeoutMs, then at once until retryMs have passed', async () => {
    let asked = 0;
    const silent: RevocationList = {
      revoke: () => new Promise(() => undefined),
      isRevoked: () => {
        asked += 1;
        return new Promise(() => undefined);
      },
    };
    const report = logger();
    const list = createRevocationList(silent, report, { timeoutMs: 50, retryMs: 300 });
    await expect(list.isRevoked('any')).resolves.toBe(false);
    expect(report.lines).toEqual([expect.stringContaining('(no answer within 50 ms)')]);
    expect(list.isRevoked('any')).toBe(false);
    expect(asked).toBe(1);
    await sleep(350);
    await expect(list.isRevoked('any')).resolves.toBe(false);
    expect(asked).toBe(2);
    const started = Date.now();
    await list.revoke('logged-out', nowSeconds() + 60);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(list.isRevoked('logged-out')).toBe(true);
    expect(report.lines).toHaveLength(1);
  });

  it('writes to the store the logouts it missed once it answers again', async () => {
    let down = true;
    const store = new MemoryRevocationList();
    const flaky: RevocationList = {
      revoke: (id, exp) => (down ? Promise.reject(new Error('down')) : store.revoke(id, exp)),
      isRevoked: (id) => (down ? Promise.reject(new Error('down')) : store.isRevoked(id)),
    };
    const list = createRevocationList(flaky, logger(), { timeoutMs: 200, retryMs: 0 });
    await list.revoke('during-the-outage', nowSeconds() + 60);
    expect(store.isRevoked('during-the-outage')).toBe(false);
    down = false;
    expect(list.isRevoked('other')).toBe(false);
    await sleep(10);
    expect(store.isRevoked('during-the-outage')).toBe(true);
  });

  it('counts an answer other than true or false from the store as revoked: closed, not open', async () => {
    const odd = { revoke: async () => undefined, isRevoked: () => 0 as unknown as boolean };
    expect(createRevocationList(odd, logger()).isRevoked('any')).toBe(true);
    const oddLater = { revoke: async () => undefined, isRevoked: async () => undefined as unknown as boolean };
    await expect(createRevocationList(oddLater, logger()).isRevoked('any')).resolves.toBe(true);
  });
});

describe('the token service', () => {
  const options = { secretKey: SECRET, previousSecretKeys: [], expirationMinutes: 10, audience: 'express-workspace-auth' };

  it('issues tokens whose credential tag depends on the username and the hash, and on nothing readable', () => {
    const tokens = createTokenService(options);
    const tagOf = (user: UserRecord) => (jwt.decode(tokens.issue(user)) as jwt.JwtPayload).cred as string;
    expect(tagOf(record('alice'))).toBe(tagOf(record('alice')));
    expect(tagOf(record('alice'))).not.toBe(tagOf(record('bob')));
    expect(tagOf(record('alice'))).not.toBe(tagOf(record('alice', hashes.passlib_2a_cost10.hash)));
    // Keyed: another signing key gives another tag for the same credentials.
    const other = createTokenService({ ...options, secretKey: 'another-secret-key-of-at-least-32-bytes' });
    expect((jwt.decode(other.issue(record('alice'))) as jwt.JwtPayload).cred).not.toBe(tagOf(record('alice')));
  });

  it('checks a token against the credentials in force', () => {
    const tokens = createTokenService(options);
    const verified = tokens.verify(tokens.issue(record('alice')));
    if (!verified) throw new Error('the token did not verify');
    expect(tokens.issuedUnder(verified, record('alice'))).toBe(true);
    expect(tokens.issuedUnder(verified, record('alice', hashes.passlib_2a_cost10.hash))).toBe(false);
    expect(tokens.issuedUnder(verified, record('bob'))).toBe(false);
  });

  it('stops accepting a remembered token the second it expires', async () => {
    const tokens = createTokenService(options);
    const fresh = jwt.decode(tokens.issue(record('alice')), { complete: true });
    if (!fresh || typeof fresh.payload === 'string') throw new Error('not a JWT');
    // The same claims with an exp one second away, signed with our key and key id.
    const exp = nowSeconds() + 1;
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const input = `${encode(fresh.header)}.${encode({ ...fresh.payload, exp })}`;
    const shortLived = `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    expect(tokens.verify(shortLived)?.username).toBe('alice');
    expect(tokens.verify(shortLived)?.username).toBe('alice');
    await sleep(exp * 1000 - Date.now() + 50);
    expect(tokens.verify(shortLived)).toBeUndefined();
  });

  it("accepts a remembered token's signature under no other header or claims", () => {
    const tokens = createTokenService(options);
    const token = tokens.issue(record('alice'));
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(tokens.verify(token)?.username).toBe('alice'); // now remembered, by its signature
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const asBob = Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url');
    expect(tokens.verify(`${header}.${asBob}.${signature}`)).toBeUndefined();
    expect(tokens.verify(`${header}.${payload}x.${signature}`)).toBeUndefined();
    expect(tokens.verify(`.${signature}`)).toBeUndefined();
    // The remembered token is still itself.
    expect(tokens.verify(token)?.username).toBe('alice');
  });

  it('refuses a token far longer than any it issues, before parsing it', () => {
    const tokens = createTokenService(options);
    const token = tokens.issue(record('alice'));
    expect(tokens.verify(`${token}${' '.repeat(5000)}`)).toBeUndefined();
  });

  it('ignores a previous key equal to the current one', () => {
    const tokens = createTokenService({ ...options, previousSecretKeys: [SECRET] });
    expect(tokens.verify(tokens.issue(record('alice')))?.username).toBe('alice');
  });
});

describe('signing keys of at least 32 bytes', () => {
  const folder = tempDir();
  afterAll(() => folder.remove());
  const quiet = { info() {}, warn() {}, error() {} };

  function problemsOf(options: WorkspaceAuthOptions): Array<{ where: string; message: string }> {
    try {
      workspaceAuth({ cwd: folder.dir, env: {}, watch: false, logger: quiet, ...options }).close();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.map(({ where, message }) => ({ where, message }));
    }
    throw new Error('workspaceAuth() did not throw');
  }

  const short = 'only-31-bytes-long-secret-key!!';
  const thirtyTwo = 'é'.repeat(16);

  it('refuses a previous key shorter than 32 bytes at start, naming it and never echoing it', () => {
    const problems = problemsOf({ secretKey: SECRET, previousSecretKeys: [SECRET.toUpperCase(), short] });
    expect(problems).toEqual([
      {
        where: 'workspaceAuth()',
        message: 'previousSecretKeys[1] is 31 bytes long; a key that signs HS256 tokens must be at least 32 bytes (256 bits, RFC 7518 §3.2), or anyone holding one token can guess it offline. Make one with `openssl rand -base64 32`, or `npx express-workspace-auth gen-secret`.',
      },
    ]);
  });

  it('refuses a secretKey shorter than 32 bytes, and counts bytes, not characters', () => {
    expect(problemsOf({ secretKey: short })).toEqual([{ where: 'workspaceAuth()', message: expect.stringMatching(/^secretKey is 31 bytes long/) }]);
    expect(problemsOf({ secretKey: 'é'.repeat(15) })).toEqual([{ where: 'workspaceAuth()', message: expect.stringMatching(/^secretKey is 30 bytes long/) }]);
    expect(() => workspaceAuth({ cwd: folder.dir, env: {}, watch: false, logger: quiet, secretKey: thirtyTwo, previousSecretKeys: [thirtyTwo] }).close()).not.toThrow();
  });

  it('refuses previousSecretKeys that is not an array of strings', () => {
    expect(problemsOf({ secretKey: SECRET, previousSecretKeys: SECRET as unknown as string[] })).toEqual([
      { where: 'workspaceAuth()', message: expect.stringContaining('previousSecretKeys must be an array of former signing keys') },
    ]);
    expect(problemsOf({ secretKey: SECRET, previousSecretKeys: [42 as unknown as string] })).toEqual([
      { where: 'workspaceAuth()', message: expect.stringContaining('previousSecretKeys[0] must be a non-empty string, not the number 42.') },
    ]);
  });

  it('refuses a short key from the environment, naming the variable', () => {
    for (const prefix of ['ARGILLA', 'RUBRIX']) {
      const problems = problemsOf({ env: { [`${prefix}_LOCAL_AUTH_SECRET_KEY`]: short } });
      expect(problems).toEqual([{ where: `${prefix}_LOCAL_AUTH_SECRET_KEY`, message: expect.stringMatching(/^is 31 bytes long/) }]);
      expect(JSON.stringify(problems)).not.toContain(short);
    }
  });

  it('refuses a revocationList without the methods of one', () => {
    expect(problemsOf({ secretKey: SECRET, revocationList: {} as RevocationList })).toEqual([
      { where: 'workspaceAuth()', message: expect.stringContaining('revocationList must have the methods revoke and isRevoked') },
    ]);
  });
});
