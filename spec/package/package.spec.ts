// The package as users get it: `npm pack`, installed into scratch projects outside the repo,
// used from JavaScript and TypeScript, as an ES module and as CommonJS, on Express 5 and 4.
// npm installs as a user's would, from the registry, taking from the npm cache what it already
// holds (`--prefer-offline`): `npm ci` just filled it with most of what these projects need.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import request from 'supertest';
import hashes from '../fixtures/hashes.json';

const REPO = path.resolve(__dirname, '..', '..');
const CONSUMERS = path.join(__dirname, '..', 'fixtures', 'consumers');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const API_KEY = 'jane-api-key-0123456789abcdef';
const SECRET_KEY = 'package-test-secret-key-of-32-chars!';

// Installing and compiling takes a while on a busy machine; nothing here waits on a clock.
jest.setTimeout(120_000);

/** The environment without the npm_* variables of an enclosing `npm test`, which would steer the child npm. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

function run(command: string, args: string[], cwd: string, input?: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: cleanEnv, encoding: 'utf8', input });
}

/** Runs a command that must succeed; its output is in the failure message otherwise. */
function mustRun(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${String(result.status)}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** The tests pack dist/ as it is (`npm test` builds first): a stale build would test old code. */
function assertBuildIsFresh(): void {
  const newestSource = Math.max(...readdirSync(path.join(REPO, 'lib')).map((file) => statSync(path.join(REPO, 'lib', file)).mtimeMs));
  for (const entry of ['dist/index.js', 'dist/index.mjs']) {
    const built = path.join(REPO, entry);
    if (!existsSync(built) || statSync(built).mtimeMs < newestSource) {
      throw new Error(`${entry} is missing or older than lib/: run \`npm run build\` first (\`npm test\` does).`);
    }
  }
}

interface PackedFile {
  path: string;
  size: number;
}
interface PackResult {
  filename: string;
  size: number;
  files: PackedFile[];
}

function versionIn(project: string, name: string): string {
  return (JSON.parse(readFileSync(path.join(project, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

let scratch: string;
let packed: PackResult;
const running = new Set<ChildProcess>();

/** A scratch project with the consumer apps and a users file, nothing installed yet. */
function newProject(name: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `scratch-${name}`, version: '1.0.0', private: true }));
  for (const file of readdirSync(CONSUMERS)) copyFileSync(path.join(CONSUMERS, file), path.join(dir, file));
  writeFileSync(
    path.join(dir, 'users.yml'),
    `- username: jane\n  hashed_password: "${hashes.passlib_2b_cost10.hash}"\n  api_key: ${API_KEY}\n  workspaces: [team]\n`,
  );
  return dir;
}

function install(project: string, packages: string[]): void {
  mustRun('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages], project);
}

const tarball = () => path.join(scratch, packed.filename);

/**
 * What a TypeScript app installs itself: the types of Express (the given major) and Passport,
 * which the package leaves to the app (optional peer dependencies), and Node.js's, pinned to the
 * repo's so the consumer compiles against the types the repo is checked with (the cache holds them).
 */
const typesFor = (expressMajor: 4 | 5) => [
  expressMajor === 5 ? `@types/express@${versionIn(REPO, '@types/express')}` : '@types/express@4',
  `@types/passport@${versionIn(REPO, '@types/passport')}`,
  `@types/node@${versionIn(REPO, '@types/node')}`,
];

/** The packages installed in a project, and their bytes (apparent size, as `du -sb` counts). */
function footprint(project: string): { packages: number; bytes: number } {
  const lock = JSON.parse(readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const sizeOf = (file: string): number => {
    const stats = lstatSync(file);
    return stats.isDirectory() ? stats.size + readdirSync(file).reduce((sum, entry) => sum + sizeOf(path.join(file, entry)), 0) : stats.size;
  };
  return { packages: Object.keys(lock.packages).filter((key) => key.startsWith('node_modules/')).length, bytes: sizeOf(path.join(project, 'node_modules')) };
}

/** Starts a consumer app and resolves with its port once it says it listens. */
function startApp(project: string, file: string): Promise<number> {
  const child = spawn(process.execPath, [file], {
    cwd: project,
    env: { ...cleanEnv, USERS_FILE: 'users.yml', SECRET_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${file} exited with ${String(code)} before listening:\n${stderr}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
}

function stopApps(): Promise<unknown> {
  return Promise.all(
    [...running].map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      return exited;
    }),
  );
}

/** What a consumer app must do: let the API key into its team workspace, and no further. */
async function expectWorkingApp(project: string, file: string, consumer: string): Promise<void> {
  const base = `http://127.0.0.1:${await startApp(project, file)}`;
  const allowed = await request(base).get('/api/workspaces/team/data').set('X-API-Key', API_KEY);
  expect(allowed.status).toBe(200);
  expect(allowed.body).toEqual({ consumer, user: 'jane', workspace: 'team', workspaces: ['jane', 'team'] });
  const forbidden = await request(base).get('/api/workspaces/other/data').set('X-API-Key', API_KEY);
  expect(forbidden.status).toBe(403);
  expect(forbidden.body.code).toBe('workspace_forbidden');
  const noKey = await request(base).get('/api/workspaces/team/data');
  expect(noKey.status).toBe(401);
}

beforeAll(() => {
  assertBuildIsFresh();
  scratch = mkdtempSync(path.join(tmpdir(), 'ewa-package-'));
  // --ignore-scripts: `prepare` would rebuild dist/ while other spec files run its CLI.
  const output = mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], REPO);
  [packed] = JSON.parse(output) as [PackResult];
});

afterEach(() => stopApps());

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds the build, the type declarations and the documents, and nothing else', () => {
    const paths = packed.files.map((file) => file.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']));
    expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/index.mjs', 'dist/index.d.mts', 'dist/cli.js']));
    const unexpected = paths.filter(
      (file) => !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(file) && !/^dist\/([a-z]+\/)?[a-z-]+\.(js|d\.ts|mjs|d\.mts)$/.test(file), // dist/<folder>/: the feature folders
    );
    expect(unexpected).toEqual([]);
    // Every module has its declarations.
    for (const file of paths.filter((name) => name.endsWith('.js'))) expect(paths).toContain(file.replace(/\.js$/, '.d.ts'));
  });
});

describe('installed with Express 5', () => {
  let project: string;

  beforeAll(() => {
    project = newProject('express5');
    install(project, [tarball(), 'express@5', ...typesFor(5)]);
  });

  it('gets express from the app and passport as a peer, one copy of each', () => {
    expect(versionIn(project, 'express')).toMatch(/^5\./);
    expect(versionIn(project, 'passport')).toMatch(/^0\.7\./);
    expect(existsSync(path.join(project, 'node_modules/express-workspace-auth/node_modules/express'))).toBe(false);
    expect(existsSync(path.join(project, 'node_modules/express-workspace-auth/node_modules/passport'))).toBe(false);
  });

  it('serves import and require from one module: the same exports, the same objects', () => {
    const script = [
      "import * as esm from 'express-workspace-auth';",
      "import { createRequire } from 'node:module';",
      "const cjs = createRequire(import.meta.url)('express-workspace-auth');",
      'console.log(JSON.stringify({ esm: Object.keys(esm).sort(), cjs: Object.keys(cjs).sort(),',
      '  same: Object.keys(cjs).every((name) => esm[name] === cjs[name]) }));',
    ].join('\n');
    const result = JSON.parse(mustRun(process.execPath, ['--input-type=module', '-e', script], project)) as { esm: string[]; cjs: string[]; same: boolean };
    expect(result.esm).toContain('workspaceAuth');
    expect(result.esm).toEqual(result.cjs);
    expect(result.same).toBe(true);
  });

  it('runs a JavaScript CommonJS app', () => expectWorkingApp(project, 'app.cjs', 'js-cjs'));

  it('runs a JavaScript ES module app', () => expectWorkingApp(project, 'app.mjs', 'js-esm'));

  describe('TypeScript', () => {
    let compiled: SpawnSyncReturns<string>;

    beforeAll(() => {
      compiled = run(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
    });

    it('type-checks both entry points strictly, the package declarations included (skipLibCheck off)', () => {
      expect(compiled.stdout + compiled.stderr).toBe('');
      expect(compiled.status).toBe(0);
    });

    it('runs the app compiled to CommonJS', () => expectWorkingApp(project, 'out/app.cjs', 'ts-cjs'));

    it('runs the app compiled to an ES module', () => expectWorkingApp(project, 'out/app.mjs', 'ts-esm'));

    it("refuses a consumer's misuse of the types", () => {
      const result = run(process.execPath, [TSC, '-p', 'tsconfig.misuse.json'], project);
      expect(result.status).not.toBe(0);
      const errors = result.stdout.split('\n').filter((line) => line.startsWith('misuse.mts('));
      expect(errors).toEqual([
        expect.stringMatching(/^misuse\.mts\(5,\d+\): error TS2561: .*'userFile' does not exist .* Did you mean to write 'usersFile'\?/),
        expect.stringMatching(/^misuse\.mts\(6,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\./),
        expect.stringMatching(/^misuse\.mts\(9,\d+\): error TS2322: Type 'readonly string\[\] \| undefined' is not assignable to type 'string'\./),
        expect.stringMatching(/^misuse\.mts\(10,\d+\): error TS2339: Property 'push' does not exist on type 'readonly string\[\]'\./),
        expect.stringMatching(/^misuse\.mts\(11,\d+\): error TS2339: Property 'toUpperCase' does not exist on type 'readonly string\[\]'\./),
        expect.stringMatching(/^misuse\.mts\(13,\d+\): error TS2339: Property 'get' does not exist on type 'WorkspaceAuth'\./),
        expect.stringMatching(/^misuse\.mts\(14,\d+\): error TS2339: Property 'stack' does not exist on type 'WorkspaceAuth'\./),
      ]);
    });
  });

  describe('the express-workspace-auth command', () => {
    it('gen-api-key prints a new key', () => {
      const first = run('npx', ['express-workspace-auth', 'gen-api-key'], project);
      const second = run('npx', ['express-workspace-auth', 'gen-api-key'], project);
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
      expect(second.stdout).not.toBe(first.stdout);
    });

    it('hash-password prints a bcrypt hash that check accepts in a users file', () => {
      const hashed = run('npx', ['express-workspace-auth', 'hash-password', '--cost', '10'], project, 'a-new-password\n');
      expect(hashed.status).toBe(0);
      expect(hashed.stdout).toMatch(/^\$2b\$10\$[./A-Za-z0-9]{53}\n$/);
      writeFileSync(path.join(project, 'new-users.yml'), `- username: sam\n  hashed_password: "${hashed.stdout.trim()}"\n  api_key: sam-key\n`);
      const checked = run('npx', ['express-workspace-auth', 'check', 'new-users.yml'], project);
      expect(checked.status).toBe(0);
      expect(checked.stdout).toBe('new-users.yml: 1 user, no problems.\n');
    });

    it('check exits 1 and prints the problems of a broken users file', () => {
      writeFileSync(path.join(project, 'broken-users.yml'), '- username: Bad Name\n  hashed_password: plaintext\n');
      const checked = run('npx', ['express-workspace-auth', 'check', 'broken-users.yml'], project);
      expect(checked.status).toBe(1);
      expect(checked.stderr).toContain('broken-users.yml has 3 problems');
    });
  });
});

describe('installed with Express 4, in a plain JavaScript app that has express and passport', () => {
  let project: string;
  let before: { packages: number; bytes: number };
  let after: { packages: number; bytes: number };

  beforeAll(() => {
    project = newProject('express4');
    install(project, ['express@4', 'passport']);
    before = footprint(project);
    install(project, [tarball()]);
    after = footprint(project);
  });

  it('accepts Express 4 as the peer and uses that one copy', () => {
    expect(versionIn(project, 'express')).toMatch(/^4\./);
    expect(existsSync(path.join(project, 'node_modules/express-workspace-auth/node_modules/express'))).toBe(false);
  });

  it('lists no @types package among its dependencies: the types of its peers are optional peers, the app\'s to install', () => {
    const manifest = JSON.parse(readFileSync(path.join(project, 'node_modules/express-workspace-auth/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@types/'))).toEqual([]);
    const typesPeers = Object.keys(manifest.peerDependencies).filter((name) => name.startsWith('@types/'));
    expect(typesPeers.sort()).toEqual(['@types/express', '@types/passport']);
    for (const name of typesPeers) expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
  });

  it('installs no @types package into a JavaScript app', () => {
    expect(existsSync(path.join(project, 'node_modules/@types'))).toBe(false);
  });

  it('adds at most 30 packages and 8 MB to the app (the figure in docs/passport-host-apps.md)', () => {
    expect(after.packages - before.packages).toBeLessThanOrEqual(30);
    expect(after.bytes - before.bytes).toBeLessThanOrEqual(8_000_000);
  });

  it('runs a JavaScript CommonJS app', () => expectWorkingApp(project, 'app.cjs', 'js-cjs'));

  it('runs a JavaScript ES module app', () => expectWorkingApp(project, 'app.mjs', 'js-esm'));

  describe('with the types of Express 4 and Passport added, as a TypeScript app would', () => {
    let compiled: SpawnSyncReturns<string>;

    beforeAll(() => {
      install(project, typesFor(4));
      compiled = run(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
    });

    it('type-checks both entry points strictly against @types/express 4, the package declarations included', () => {
      expect(versionIn(project, '@types/express')).toMatch(/^4\./);
      expect(compiled.stdout + compiled.stderr).toBe('');
      expect(compiled.status).toBe(0);
    });

    it('runs the app compiled to CommonJS', () => expectWorkingApp(project, 'out/app.cjs', 'ts-cjs'));

    it('runs the app compiled to an ES module', () => expectWorkingApp(project, 'out/app.mjs', 'ts-esm'));
  });
});
