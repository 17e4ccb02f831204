import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { entry } from '../../helpers';
import { usersFileInTempDir } from './run';

// The one spec that runs the built bin (`npm test` builds dist/ first) as users do; every other
// CLI spec calls runCli in-process.
const BIN = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

const bin = (args: string[], input = '') =>
  spawnSync(process.execPath, [BIN, ...args], { input, env: { PATH: process.env.PATH }, encoding: 'utf8' });

it('the built bin adds a user from a piped password, lists them, and exits 2 on a usage error', () => {
  const folder = usersFileInTempDir();
  try {
    folder.write(entry('alice'));
    const added = bin(['add-user', 'carol', '--workspaces', 'team', '--cost', '10', '--file', folder.file], 'carol-pw\n');
    expect(added.status).toBe(0);
    expect(added.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(folder.records().find((record) => record.user.username === 'carol')?.apiKey).toBe(added.stdout.trim());
    expect(bin(['list', '--file', folder.file]).stdout).toMatch(/^carol +team +no +no$/m);
    const usage = bin(['add-user']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Usage: express-workspace-auth add-user USERNAME');
  } finally {
    folder.remove();
  }
});
