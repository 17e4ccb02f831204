import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readUsersFileSync, verifyPassword } from '../../lib';
import { DEMO, EXAMPLE_USERS_FILE } from './helpers';

const here = (...parts: string[]) => path.join(__dirname, '..', '..', ...parts);

describe('example-app/users.example.yml', () => {
  const records = readUsersFileSync(EXAMPLE_USERS_FILE);
  const byName = new Map(records.map((record) => [record.user.username, record]));

  it('holds the seed\'s three users with the seed\'s workspaces', () => {
    expect([...byName.keys()]).toEqual(['user1', 'user2', 'user3']);
    expect(byName.get('user1')?.user).toMatchObject({ workspaces: [], superuser: false });
    expect(byName.get('user2')?.user).toMatchObject({ workspaces: ['client_projects'], superuser: false });
    expect(byName.get('user3')?.user).toMatchObject({ workspaces: null, superuser: true });
  });

  it.each(Object.entries(DEMO))('gives %s the documented password (a real htpasswd bcrypt hash) and API key', async (username, demo) => {
    const record = byName.get(username);
    expect(record?.apiKey).toBe(demo.apiKey);
    expect(record?.hashedPassword).toMatch(/^\$2y\$10\$/);
    expect(await verifyPassword(demo.password, record?.hashedPassword ?? '')).toBe(true);
    expect(readFileSync(EXAMPLE_USERS_FILE, 'utf8')).toContain(`${username} / ${demo.password}`);
  });
});

// The Dockerfile, the .dockerignore and docker-compose.yml: container.spec.ts.

describe('example-app/README.md', () => {
  const readme = readFileSync(here('example-app', 'README.md'), 'utf8');

  it('shows the committed screenshot and the demo passwords', () => {
    expect(readme).toContain('](../docs/example-app.png)');
    expect(existsSync(here('docs', 'example-app.png'))).toBe(true);
    for (const demo of Object.values(DEMO)) expect(readme).toContain(demo.password);
  });

  it('is linked from the README, and its relative links lead to files that exist', () => {
    expect(readFileSync(here('README.md'), 'utf8')).toContain('](https://github.com/express-workspace-auth/express-workspace-auth/blob/main/example-app/README.md)');
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)/g)].map((match) => match[1] ?? '');
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(path.join(here('example-app'), link))).toBe(true);
  });
});
