import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express, { type Express } from 'express';
import { workspaceAuth, type Logger, type WorkspaceAuth, type WorkspaceAuthOptions } from '../lib';
import hashes from './fixtures/hashes.json';

export { hashes };
export const FIXTURES = path.join(__dirname, 'fixtures');
export const USERS_FILE = path.join(FIXTURES, 'users.yml');
export const SECRET = 'a-test-secret-key-of-at-least-32-characters';

/** The fixture users' credentials (spec/fixtures/users.yml). */
export const USERS = {
  user1: { password: 'user1-pw', apiKey: 'user1-api-key-0123456789abcdef' },
  user2: { password: 'user2-pw', apiKey: 'user2-api-key-0123456789abcdef' },
  user3: { password: 'user3-pw', apiKey: 'user3-api-key-0123456789abcdef' },
  htuser: { password: '1234', apiKey: 'htuser-api-key-0123456789abcdef' },
  sleepy: { password: 'ht-default-pw', apiKey: 'sleepy-api-key-0123456789abcdef' },
  constructor: { password: 'password', apiKey: 'constructor-api-key-0123456789ab' },
} as const;

/** A logger that keeps what it is told, so tests can read warnings instead of printing them. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warn: (message) => lines.push(`warn: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
  };
}

/** A minimal app: the plugin, and one route per kind of workspace guard. */
export function makeApp(options: WorkspaceAuthOptions = {}): { app: Express; auth: WorkspaceAuth } {
  const auth = workspaceAuth({
    usersFile: USERS_FILE,
    env: {},
    secretKey: SECRET,
    watch: false,
    logger: recordingLogger(),
    ...options,
  });
  const app = express();
  app.use(auth);
  const echo: express.RequestHandler = (req, res) => {
    res.json({ user: auth.userOf(req)?.username, workspace: req.workspace, workspaces: req.workspaces });
  };
  app.get('/whoami', auth.authenticate, (req, res) => {
    res.json({ user: auth.userOf(req)?.username });
  });
  app.get('/ws', auth.authenticate, auth.requireWorkspace(), echo);
  app.get('/ws/:workspace', auth.authenticate, auth.requireWorkspace(), echo);
  app.get('/team', auth.authenticate, auth.requireWorkspace('client_projects'), echo);
  app.get('/unauthenticated-guard', auth.requireWorkspace(), echo);
  app.use(auth.errorHandler);
  return { app, auth };
}

/** A temporary folder, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ewa-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

let entries = 0;

/** A users-file entry as YAML (a fresh API key each time unless given), for building files in tests. */
export function entry(username: string, fields: Record<string, string> = {}): string {
  entries += 1;
  const lines = {
    hashed_password: hashes.passlib_2b_cost10.hash,
    api_key: `"key-${entries}-0123456789abcdef"`,
    ...fields,
  };
  return [`- username: ${username}`, ...Object.entries(lines).map(([key, value]) => `  ${key}: ${value}`)].join('\n') + '\n';
}
