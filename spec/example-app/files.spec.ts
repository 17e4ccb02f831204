import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
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

describe('example-app/docker-compose.yml and Dockerfile', () => {
  const compose = yaml.load(readFileSync(here('example-app', 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { build: { context: string; dockerfile: string }; ports: string[]; environment: Record<string, string>; volumes: string[] }>;
  };
  const service = compose.services.example;

  it('mounts .users.yaml at /config/.users.yaml and points ARGILLA_LOCAL_AUTH_USERS_DB_FILE at it, on port 6900', () => {
    expect(service?.environment.ARGILLA_LOCAL_AUTH_USERS_DB_FILE).toBe('/config/.users.yaml');
    expect(service?.volumes).toContain('./.users.yaml:/config/.users.yaml:ro');
    expect(service?.ports).toEqual(['6900:6900']);
  });

  it('builds the Dockerfile from the repository root', () => {
    const dockerfile = path.resolve(here('example-app'), service?.build.context ?? '', service?.build.dockerfile ?? '');
    expect(dockerfile).toBe(here('example-app', 'Dockerfile'));
    expect(existsSync(path.resolve(here('example-app'), service?.build.context ?? '', 'package-lock.json'))).toBe(true);
  });

  it('runs npm ci and npm start on node:20', () => {
    const lines = readFileSync(here('example-app', 'Dockerfile'), 'utf8').split('\n').filter((line) => line && !line.startsWith('#'));
    expect(lines[0]).toBe('FROM node:20');
    expect(lines).toContain('RUN npm ci --no-audit --no-fund');
    expect(lines).toContain('EXPOSE 6900');
    expect(lines.at(-1)).toBe('CMD ["npm", "start"]');
  });
});

describe('example-app/README.md', () => {
  const readme = readFileSync(here('example-app', 'README.md'), 'utf8');

  it('shows the committed screenshot and the demo passwords', () => {
    expect(readme).toContain('](../docs/example-app.png)');
    expect(existsSync(here('docs', 'example-app.png'))).toBe(true);
    for (const demo of Object.values(DEMO)) expect(readme).toContain(demo.password);
  });

  it('is linked from the README, and its relative links lead to files that exist', () => {
    expect(readFileSync(here('README.md'), 'utf8')).toContain('](example-app/README.md)');
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)/g)].map((match) => match[1] ?? '');
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(path.join(here('example-app'), link))).toBe(true);
  });
});
