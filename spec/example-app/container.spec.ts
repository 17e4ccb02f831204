/**
 * The example app's container, without a Docker engine: the Dockerfile read stage by stage and
 * linted, its stages run in folders (dockerfile-stages.ts) and the final stage's command started
 * as the container would start it, as the unprivileged user, then stopped with SIGTERM; the
 * root .dockerignore matched as Docker matches it; docker-compose.yml read with a YAML parser.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { validate } from 'dockerfile-utils';
import yaml from 'js-yaml';
import { buildStages, readDockerfile, type BuiltStage } from './dockerfile-stages';
import { DEMO, EXAMPLE_USERS_FILE } from './helpers';

// npm installs the production dependencies and tsc compiles the app: a minute on a busy machine. A safety limit, not an assertion.
jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..', '..');
const DOCKERFILE = readFileSync(path.join(ROOT, 'example-app', 'Dockerfile'), 'utf8');
const { args, stages } = readDockerfile(DOCKERFILE);
const finalStage = stages.at(-1);
const keywordsOf = (index: number) => stages[index]?.instructions.map((instruction) => instruction.getKeyword()) ?? [];
const runsOf = (index: number) =>
  stages[index]?.instructions.filter((instruction) => instruction.getKeyword() === 'RUN').map((instruction) => instruction.getArgumentsContent() ?? '') ?? [];

describe('example-app/Dockerfile, read', () => {
  it('is a Dockerfile the linter finds no problem in (and the linter does find them)', () => {
    expect(validate(DOCKERFILE)).toEqual([]);
    expect(validate('FROM\nCMD ["node"').length).toBeGreaterThan(0);
  });

  it('builds in stages, every one on the same slim image of Node.js 22 or later', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const images = new Set(stages.map((stage) => stage.image));
    expect(images.size).toBe(1);
    const [image = ''] = images;
    expect(image).toMatch(/^node:(\d+)[\w.-]*-slim$/);
    expect(Number(/^node:(\d+)/.exec(image)?.[1])).toBeGreaterThanOrEqual(22);
    expect(args.get('NODE_IMAGE')).toBe(image);
  });

  it('installs only production dependencies into the stage whose node_modules the image takes', () => {
    const copies = finalStage?.instructions.filter((instruction) => instruction.getKeyword() === 'COPY') ?? [];
    const modules = copies.find((copy) => copy.getArguments().some((argument) => argument.getValue() === '/app/node_modules'));
    const from = /--from=(\S+)/.exec(modules?.toString() ?? '')?.[1];
    const index = stages.findIndex((stage) => stage.name === from);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(runsOf(index).join('\n')).toMatch(/npm ci --omit=dev/);
  });

  it('runs nothing in the final stage, and copies nothing into it from the build context but what stages made', () => {
    expect(keywordsOf(stages.length - 1)).not.toContain('RUN');
    for (const copy of finalStage?.instructions.filter((instruction) => instruction.getKeyword() === 'COPY') ?? []) {
      expect(copy.toString()).toMatch(/--from=/);
    }
  });

  it('never copies the whole build context, so no users file can slip in even without the .dockerignore', () => {
    for (const stage of stages) {
      for (const copy of stage.instructions.filter((instruction) => instruction.getKeyword() === 'COPY')) {
        const sources = copy.getArguments().slice(0, -1).map((argument) => argument.getValue());
        for (const source of sources) expect(['.', './', '*', '/'].includes(source)).toBe(false);
      }
    }
  });

  it('runs as a user other than root, with node itself as the command and a healthcheck', () => {
    const keywords = keywordsOf(stages.length - 1);
    const users = finalStage?.instructions.filter((instruction) => instruction.getKeyword() === 'USER').map((instruction) => instruction.getArgumentsContent());
    expect(users?.at(-1)).toBe('node');
    expect(keywords.filter((keyword) => keyword === 'CMD')).toHaveLength(1);
    expect(keywords).not.toContain('ENTRYPOINT');
    expect(keywords).toContain('HEALTHCHECK');
  });
});

describe('the root .dockerignore, matched as Docker matches it', () => {
  const ignore = dockerignore().add(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));

  it.each([
    '.git',
    '.git/config',
    'node_modules',
    'node_modules/express/package.json',
    'example-app/node_modules',
    '.env',
    '.env.production',
    'example-app/.env',
    '.users.yml',
    '.users.yaml',
    'example-app/.users.yaml',
    'example-app/config',
    'example-app/config/.users.yaml',
    'example-app/config/team-users.yml',
    'lib/.users.yml',
    'dist/index.js',
    'express-workspace-auth-0.1.0.tgz',
  ])('keeps %s out', (file) => {
    expect(ignore.ignores(file)).toBe(true);
  });

  it('keeps every file the Dockerfile copies from the build context in', () => {
    const sources = stages.flatMap((stage) =>
      stage.instructions
        .filter((instruction) => instruction.getKeyword() === 'COPY' && !/--from=/.test(instruction.toString()))
        .flatMap((copy) => copy.getArguments().slice(0, -1).map((argument) => argument.getValue())),
    );
    expect(sources.length).toBeGreaterThan(3);
    for (const source of [...sources, 'example-app/server.ts', 'example-app/public/index.html', 'example-app/tsconfig.build.json', 'lib/index.ts']) {
      expect({ source, ignored: ignore.ignores(source) }).toEqual({ source, ignored: false });
    }
  });

  it('is the only one: BuildKit would read a Dockerfile.dockerignore next to the Dockerfile instead', () => {
    expect(existsSync(path.join(ROOT, 'example-app', 'Dockerfile.dockerignore'))).toBe(false);
  });
});

describe('example-app/docker-compose.yml, read with a YAML parser', () => {
  const text = readFileSync(path.join(ROOT, 'example-app', 'docker-compose.yml'), 'utf8');
  const compose = yaml.load(text) as {
    services: Record<
      string,
      {
        build?: { context: string; dockerfile: string };
        image?: string;
        ports?: string[];
        environment?: Record<string, string>;
        volumes?: string[];
        depends_on?: Record<string, { condition: string }>;
        healthcheck?: { test: string[] };
      }
    >;
  };
  const example = compose.services.example;
  const redis = compose.services.redis;

  it('builds the Dockerfile from the repository root, and publishes port 6900', () => {
    expect(path.resolve(ROOT, 'example-app', example?.build?.context ?? '', example?.build?.dockerfile ?? '')).toBe(path.join(ROOT, 'example-app', 'Dockerfile'));
    expect(example?.ports).toEqual(['6900:6900']);
  });

  it('mounts the users folder, not the file, and names the file in it as the Argilla guide does', () => {
    expect(example?.environment?.ARGILLA_LOCAL_AUTH_USERS_DB_FILE).toBe('/config/.users.yaml');
    expect(example?.volumes).toEqual(['./config:/config:ro']);
    expect(existsSync(path.join(ROOT, 'example-app', 'config'))).toBe(true);
    // The reason, where the next person to touch the mount will read it.
    expect(text).toMatch(/single file by its inode/);
  });

  it('takes the secret key from the environment, and refuses to start without it', () => {
    expect(example?.environment?.ARGILLA_LOCAL_AUTH_SECRET_KEY).toMatch(/^\$\{ARGILLA_LOCAL_AUTH_SECRET_KEY:\?.+\}$/);
  });

  it('runs a Redis the app uses through REDIS_URL, once it answers', () => {
    expect(redis?.image).toMatch(/^redis:/);
    expect(redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(example?.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(example?.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
  });
});

/** An HTTP GET that resolves with the status, on the given agent. */
function get(url: string, headers: Record<string, string> = {}, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

describe("the Dockerfile's stages, run without an engine", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'example-image-'));
  let built: BuiltStage[];
  let image: BuiltStage;
  // The container's user: uid 1000 (`node` in the image) when this runs as root, as CI does.
  const asUser = process.getuid?.() === 0 ? { uid: 1000, gid: 1000 } : {};

  beforeAll(() => {
    chmodSync(scratch, 0o755);
    built = buildStages(stages, {
      context: ROOT,
      scratch,
      // The build stage's full `npm ci` (every dev tool, ~40 s) is this checkout's node_modules, made by
      // `npm ci` of the same lock. The production install is run for real: it is what the image ships.
      substitute: (stage, command, cwd) => {
        if (stage === finalStage || !/^npm ci\b/.test(command) || /--omit=dev/.test(command)) return false;
        symlinkSync(path.join(ROOT, 'node_modules'), path.join(cwd, 'node_modules'), 'dir');
        return true;
      },
    });
    image = built.at(-1) as BuiltStage;
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('leaves production dependencies only in the image: no compiler, no test tool, no tsx', () => {
    const modules = readdirSync(path.join(image.root, 'app', 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['express', 'passport', 'ioredis', 'prom-client', 'bcrypt', 'jsonwebtoken']));
    for (const tool of ['typescript', 'tsx', 'esbuild', 'jest', 'ts-jest', 'supertest', '@biomejs', 'playwright-core', 'autocannon']) expect(modules).not.toContain(tool);
    expect(existsSync(path.join(image.root, 'app', 'lib', 'index.ts'))).toBe(false);
  });

  it("starts the image's command as its user, serves, and ends on SIGTERM through server.close(), with exit code 0", async () => {
    expect(image.cmd?.[0]).toBe('node');
    const config = path.join(scratch, 'config');
    mkdirSync(config);
    chmodSync(config, 0o755);
    writeFileSync(path.join(config, '.users.yaml'), readFileSync(EXAMPLE_USERS_FILE));
    const child = spawn(process.execPath, image.cmd?.slice(1) ?? [], {
      cwd: path.join(image.root, image.workdir),
      env: {
        PATH: process.env.PATH,
        ...image.env,
        // What `docker run -e` and the compose file add; PORT 0 rather than 6900, which may be taken here.
        PORT: '0',
        ARGILLA_LOCAL_AUTH_USERS_DB_FILE: path.join(config, '.users.yaml'),
        ARGILLA_LOCAL_AUTH_SECRET_KEY: 'a-container-secret-key-of-at-least-32-bytes',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...asUser,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`The image's command did not listen within 30 s:\n${stdout}${stderr}`)), 30_000);
        child.stdout.on('data', () => {
          const match = /example app on http:\/\/localhost:(\d+)/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        void exited.then(() => reject(new Error(`The image's command exited before it listened:\n${stdout}${stderr}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      // An idle keep-alive connection stays open, as a browser's would: server.close() must not wait on it forever.
      const agent = new Agent({ keepAlive: true });
      expect(await get(`${base}/`, {}, agent)).toBe(200); // the login page: the pages were copied where the app looks
      expect(await get(`${base}/api/me`, { 'X-API-Key': DEMO.user2.apiKey }, agent)).toBe(200);
      const started = Date.now();
      child.kill('SIGTERM');
      const ended = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running 10 s after SIGTERM'), 10_000))]);
      expect(ended).toEqual({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(stdout).toContain('Stopped on SIGTERM: every request answered, every connection closed.');
      agent.destroy();
    } finally {
      child.kill('SIGKILL');
    }
  });

  describe('its HEALTHCHECK', () => {
    let stub: Server;
    let status = 200;
    beforeAll(async () => {
      stub = createServer((req, res) => {
        res.writeHead(req.url === '/healthz' ? status : 404).end();
      });
      await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise((resolve) => stub.close(resolve)));

    /** The healthcheck's exit code against a port (asynchronously: the stub answers from this process). */
    const check = (port: number) => {
      const [command = '', ...rest] = image.healthcheck ?? [];
      expect(command).toBe('node');
      const child = spawn(process.execPath, rest, { env: { PATH: process.env.PATH, ...image.env, PORT: String(port) }, stdio: 'ignore', timeout: 10_000 });
      return new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    };

    it('passes when GET /healthz answers 200, and fails on 503 or when nothing listens', async () => {
      const { port } = stub.address() as AddressInfo;
      status = 200;
      expect(await check(port)).toBe(0);
      status = 503;
      expect(await check(port)).toBe(1);
      expect(await check(1)).toBe(1);
    });
  });
});
