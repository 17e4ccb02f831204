import bcrypt from 'bcrypt';
import { describeHashProblem, hashPassword, verifyPassword } from '../../../lib/index';
import { bcryptCost } from '../../../lib/users/hash-format';
import { createPasswordVerifier, DEFAULT_MAX_CONCURRENT_HASHES, dummyHash, hashLimitOf } from '../../../lib/auth/passwords';
import { hashes } from '../../helpers';

const bcryptFixtures = Object.entries(hashes).filter(([, { hash }]) => hash.startsWith('$2'));

describe('bcrypt hashes made by htpasswd and passlib', () => {
  it('has fixtures of every supported prefix', () => {
    expect(new Set(bcryptFixtures.map(([, { hash }]) => hash.slice(0, 4)))).toEqual(new Set(['$2a$', '$2b$', '$2y$']));
  });

  it.each(bcryptFixtures)('%s verifies with its password and refuses another', async (_name, { password, hash }) => {
    expect(describeHashProblem(hash)).toBeUndefined();
    await expect(verifyPassword(password, hash)).resolves.toBe(true);
    await expect(verifyPassword(`${password}x`, hash)).resolves.toBe(false);
  });

  it('needs the $2y$ rewrite: native bcrypt alone refuses $2y$ hashes of the right password', async () => {
    // If native bcrypt ever accepts $2y$, the rewrite in passwords.ts can go.
    const { password, hash } = hashes.htpasswd_cost10_2y;
    await expect(bcrypt.compare(password, hash)).resolves.toBe(false);
    await expect(verifyPassword(password, hash)).resolves.toBe(true);
  });
});

describe('hashes that are refused', () => {
  it.each([
    ['an Apache MD5 hash', hashes.htpasswd_md5_apr1.hash, /Apache MD5 \(\$apr1\$\)/],
    ['a {SHA} hash', hashes.htpasswd_sha1.hash, /SHA-1/],
    ['a $2x$ hash', hashes.passlib_2b_cost10.hash.replace('$2b$', '$2x$'), /\$2x\$/],
    ['plaintext', '1234', /plaintext/],
    ['a bcrypt hash with cost 03', hashes.passlib_2b_cost10.hash.replace('$10$', '$03$'), /malformed/],
    ['an unknown crypt hash', '$6$salt$abcdef', /unsupported kind/],
  ])('refuses %s and says how to make a bcrypt hash', (_kind, value, why) => {
    const problem = describeHashProblem(value);
    expect(problem).toMatch(why);
    expect(problem).toContain('htpasswd -nbB');
    expect(problem).toContain('hash-password');
  });
});

describe('hashing', () => {
  it('makes $2b$ hashes of the asked cost that verify', async () => {
    const hash = await hashPassword('s3cret', 10);
    expect(hash).toMatch(/^\$2b\$10\$/);
    await expect(verifyPassword('s3cret', hash)).resolves.toBe(true);
  });

  it('makes the dummy hash for unknown users at the asked cost, once per cost', async () => {
    const first = await dummyHash(5);
    expect(bcryptCost(first)).toBe(5);
    expect(describeHashProblem(first)).toBeUndefined();
    await expect(dummyHash(5)).resolves.toBe(first);
  });
});

describe('bounded hashing', () => {
  /** The most bcrypt.compare calls in flight at once while `run` goes. */
  async function mostAtOnce(run: () => Promise<unknown>): Promise<number> {
    let running = 0;
    let most = 0;
    const compare = bcrypt.compare.bind(bcrypt) as (data: string, encrypted: string) => Promise<boolean>;
    const spy = jest.spyOn(bcrypt, 'compare').mockImplementation(async (data: string | Buffer, encrypted: string) => {
      running += 1;
      most = Math.max(most, running);
      try {
        return await compare(String(data), encrypted);
      } finally {
        running -= 1;
      }
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return most;
  }
  const { password, hash } = hashes.passlib_2b_cost10;

  it('runs at most maxConcurrentHashes checks at once, each of its own verifier', async () => {
    const two = createPasswordVerifier(hashLimitOf(2));
    const three = createPasswordVerifier(hashLimitOf(3));
    expect(await mostAtOnce(() => Promise.all(Array.from({ length: 6 }, () => two(password, hash))))).toBe(2);
    // Bounds are per verifier: one instance's logins do not queue behind another's bound.
    const most = await mostAtOnce(() => Promise.all([...Array.from({ length: 4 }, () => two(password, hash)), ...Array.from({ length: 4 }, () => three(password, hash))]));
    expect(most).toBe(5);
  });

  it('shares the default bound, cores less one, when none is given', async () => {
    const results = await mostAtOnce(() =>
      Promise.all([...Array.from({ length: 4 }, () => createPasswordVerifier()(password, hash)), ...Array.from({ length: 4 }, () => verifyPassword(password, hash))]),
    );
    expect(results).toBe(Math.min(DEFAULT_MAX_CONCURRENT_HASHES, 8));
  });
});
