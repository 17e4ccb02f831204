import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { verifyPassword } from '../../../lib/index';
import { describeWithTool, hasHtpasswd, hasPasslib, PYTHON } from '../../system-tools';

const BIN = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

function run(command: string, args: string[], input = ''): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

describeWithTool('htpasswd', hasHtpasswd)('hashes made now by Apache htpasswd -nbB', () => {
  it.each([[[]], [['-C', '10']]])('verify, as the seed documents tell users to make them (options %j)', async (options) => {
    const hash = run('htpasswd', ['-nbB', ...options, '', 'my-new-password']).replace(/^:/, '');
    expect(hash).toMatch(/^\$2y\$/);
    await expect(verifyPassword('my-new-password', hash)).resolves.toBe(true);
    await expect(verifyPassword('my-old-password', hash)).resolves.toBe(false);
  });
});

describeWithTool('passlib', hasPasslib)('hashes and passlib', () => {
  it("verifies a hash made now by the seed's passlib CryptContext", async () => {
    const hash = run(PYTHON, ['-c', "from passlib.context import CryptContext; print(CryptContext(schemes=['bcrypt'], deprecated='auto').hash('password'))"]);
    await expect(verifyPassword('password', hash)).resolves.toBe(true);
  });

  it('makes hashes with hash-password that passlib verifies', () => {
    const hash = run(process.execPath, [BIN, 'hash-password', '--cost', '10'], 'pässwörd with spaces');
    const verify = (password: string) =>
      run(PYTHON, ['-c', 'import sys; from passlib.hash import bcrypt; print(bcrypt.verify(sys.argv[1], sys.argv[2]))', password, hash]);
    expect(verify('pässwörd with spaces')).toBe('True');
    expect(verify('password with spaces')).toBe('False');
  });
});
