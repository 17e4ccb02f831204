/**
 * A scratch project folder where the README's examples run as a reader would run them: files
 * saved under the names the blocks give, one app at a time (the latest one that listens),
 * shell commands run with bash in the folder against that app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import type { ShellStep, StepResult } from './readme-blocks';

export const ROOT = path.join(__dirname, '..', '..');

/** The port the README's examples use; rewritten to a free one, so a real Argilla on 6900 is never called. */
export const README_PORT = 6900;

/** Where the package's name leads in the scratch project: this checkout's sources, always current. */
const PACKAGE_ENTRY = path.join(ROOT, 'lib', 'index.ts');
const CLI_ENTRY = path.join(ROOT, 'lib', 'cli.ts');

const COMPILER_OPTIONS = {
  strict: true,
  target: 'ES2022',
  lib: ['ES2022'],
  module: 'node16',
  moduleResolution: 'node16',
  esModuleInterop: true,
  skipLibCheck: true,
  types: ['node'],
  paths: { 'express-workspace-auth': [PACKAGE_ENTRY] },
};

/** This process's environment without the settings an example must not inherit from a developer's shell. */
function exampleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(ARGILLA|RUBRIX)_LOCAL_AUTH_|^PORT$|^REDIS_URL$|^NODE_OPTIONS$/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface Output {
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): { output: Output; exited: Promise<number | null> } {
  const output: Output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return { output, exited };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An app of the README, running in a process of its own. */
interface RunningApp {
  file: string;
  port: number;
  child: ChildProcess;
  output: Output;
  exited: Promise<number | null>;
  /** How many reloads it had logged when the users file last changed under it; undefined when none is awaited. */
  reloadsBeforeChange: number | undefined;
}

const countReloads = (app: RunningApp) => app.output.stdout.split('Reloaded ').length - 1;

export class ReadmeProject {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'readme-spec-'));
  private app: RunningApp | undefined;

  constructor() {
    // The reader's project has the package and its peers installed: here, this checkout's.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(this.dir, 'node_modules'), 'dir');
    // tsx reads `paths` from here, so `import ... from 'express-workspace-auth'` runs lib/.
    writeFileSync(path.join(this.dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS }, null, 2));
  }

  write(name: string, content: string): void {
    writeFileSync(path.join(this.dir, name), content.endsWith('\n') ? content : `${content}\n`);
    if (this.app && /\.ya?ml$/.test(name)) this.app.reloadsBeforeChange ??= countReloads(this.app);
  }

  /**
   * Type-checks TypeScript blocks as one strict program; returns the problems of each, by key.
   * Each block is a file of its own, so two versions of `app.ts` are both checked.
   */
  typecheck(sources: ReadonlyMap<string, string>): Map<string, string[]> {
    const folder = path.join(this.dir, 'typecheck');
    mkdirSync(folder, { recursive: true });
    const files = new Map<string, string>();
    for (const [key, code] of sources) {
      const file = path.join(folder, `${key}.ts`);
      writeFileSync(file, code);
      files.set(file, key);
    }
    const { options } = ts.convertCompilerOptionsFromJson({ ...COMPILER_OPTIONS, noEmit: true }, folder);
    const program = ts.createProgram([...files.keys()], options);
    const problems = new Map<string, string[]>([...sources.keys()].map((key) => [key, []]));
    // The blocks only: lib/ is type-checked by `npm run typecheck`, and checking it again here would triple the time.
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...[...files.keys()].flatMap((file) => {
        const source = program.getSourceFile(file);
        return source ? [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)] : [];
      }),
    ];
    for (const diagnostic of diagnostics) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const fileName = diagnostic.file ? path.resolve(diagnostic.file.fileName) : undefined;
      const key = fileName ? files.get(fileName) : undefined;
      const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
      // A problem of the options or the whole program is every block's problem.
      for (const target of key ? [key] : [...problems.keys()]) problems.get(target)?.push(`${key ? `line ${where}` : fileName}: ${message}`);
    }
    return problems;
  }

  /** Runs a program to its end with tsx; resolves with its exit code and output. */
  async runToEnd(name: string): Promise<Output & { code: number | null }> {
    const child = spawn(process.execPath, ['--import', 'tsx', name], { cwd: this.dir, env: exampleEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const { output, exited } = collect(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited.finally(() => clearTimeout(timer));
    return { ...output, code };
  }

  /**
   * Starts an app that listens on the README's port, on a free port instead, after stopping
   * the previous one (a reader restarts the app). Resolves once it answers HTTP.
   */
  async startApp(name: string, code: string): Promise<void> {
    await this.stopApp();
    const port = await freePort();
    const listening = new RegExp(`\\.listen\\(${README_PORT}\\)`, 'g');
    this.write(name, code.replace(listening, `.listen(${port})`));
    const child = spawn(process.execPath, ['--import', 'tsx', name], { cwd: this.dir, env: exampleEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const { output, exited } = collect(child);
    this.app = { file: name, port, child, output, exited, reloadsBeforeChange: undefined };
    let stopped = false;
    void exited.then(() => (stopped = true));
    for (const started = Date.now(); Date.now() - started < 30_000; await sleep(50)) {
      if (stopped) throw new Error(`${name} exited before it listened:\n${output.stderr}`);
      const answered = await fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      );
      if (answered) return;
    }
    throw new Error(`${name} did not listen within 30 s:\n${output.stderr}`);
  }

  /**
   * Starts the example app as `npm start` does in a fresh clone (example-app/server.ts with
   * tsx), in an empty folder of its own as a clone has no users file: the default user is in
   * force. `env` is what the command line sets before `npm start`; a value naming a file of the
   * clone (`example-app/users.example.yml`) names it in this checkout. On a free port (PORT=0);
   * resolves with what it printed on starting, its port written as the README's.
   */
  async startExampleApp(env: Record<string, string> = {}): Promise<string> {
    await this.stopApp();
    const clone = path.join(this.dir, 'clone');
    mkdirSync(clone, { recursive: true });
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'example-app', 'server.ts')], {
      cwd: clone,
      env: exampleEnv({
        ...Object.fromEntries(Object.entries(env).map(([name, value]) => [name, existsSync(path.join(ROOT, value)) ? path.join(ROOT, value) : value])),
        PORT: '0',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { output, exited } = collect(child);
    let stopped = false;
    void exited.then(() => (stopped = true));
    for (const started = Date.now(); Date.now() - started < 30_000; await sleep(50)) {
      if (stopped) throw new Error(`npm start exited before it listened:\n${output.stderr}`);
      const port = /example app on http:\/\/localhost:(\d+)/.exec(output.stdout)?.[1];
      if (port) {
        this.app = { file: 'npm start', port: Number(port), child, output, exited, reloadsBeforeChange: undefined };
        return output.stdout.replace(`localhost:${port}`, `localhost:${README_PORT}`);
      }
    }
    child.kill('SIGKILL');
    throw new Error(`npm start did not listen within 30 s:\n${output.stderr}`);
  }

  async stopApp(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
    app.child.kill('SIGTERM');
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 5_000);
    await app.exited.finally(() => clearTimeout(timer));
  }

  /** The running app's output so far, for failure messages. */
  appOutput(): string {
    return this.app ? `${this.app.file} on port ${this.app.port}:\n${this.app.output.stdout}${this.app.output.stderr}` : 'no app is running';
  }

  /** Waits until the running app has reloaded a users file saved under it, as it logs. */
  private async awaitReload(app: RunningApp): Promise<void> {
    const before = app.reloadsBeforeChange;
    if (before === undefined) return;
    for (const started = Date.now(); Date.now() - started < 10_000; await sleep(50)) {
      if (/Refused the changed users file/.test(app.output.stderr)) throw new Error(`The app refused the users file:\n${app.output.stderr}`);
      if (countReloads(app) > before) {
        app.reloadsBeforeChange = undefined;
        return;
      }
    }
    throw new Error(`The app did not report a reload of the users file within 10 s:\n${this.appOutput()}`);
  }

  /**
   * Runs the commands of a shell block, in one bash, in the folder: `localhost:6900` becomes
   * the running app's port; `npx express-workspace-auth` runs this checkout's CLI. Resolves
   * with what each command printed and its exit status.
   */
  async runShell(steps: readonly ShellStep[]): Promise<{ results: StepResult[]; stderr: string }> {
    const usesApp = steps.some((step) => new RegExp(`:${README_PORT}\\b`).test(step.command));
    const app = this.app;
    if (usesApp && !app) throw new Error(`This block calls port ${README_PORT}, but no block before it starts an app that listens there.`);
    if (usesApp && app) await this.awaitReload(app);
    const mark = `@@readme-spec-${randomBytes(6).toString('hex')}@@`;
    const script = [
      'set -o pipefail',
      // What npx does for a package's own bin, without npm's start-up or a registry: the CLI of this checkout.
      `npx() { if [ "$1" = express-workspace-auth ]; then shift; node --import tsx ${JSON.stringify(CLI_ENTRY)} "$@"; else command npx "$@"; fi; }`,
      ...steps.map((step) => {
        const command = app ? step.command.replace(new RegExp(`\\b(localhost|127\\.0\\.0\\.1):${README_PORT}\\b`, 'g'), `$1:${app.port}`) : step.command;
        return `${command}\nprintf '\\n%s %s\\n' '${mark}' "$?"`;
      }),
    ].join('\n');
    const child = spawn('bash', ['-c', script], { cwd: this.dir, env: exampleEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const { output, exited } = collect(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited.finally(() => clearTimeout(timer));
    const parts = output.stdout.split(new RegExp(`\\n${mark} (\\d+)\\n`));
    const results = steps.map((step, index) => ({
      step,
      stdout: parts[index * 2] ?? '',
      status: parts[index * 2 + 1] === undefined ? -1 : Number(parts[index * 2 + 1]),
    }));
    return { results, stderr: output.stderr };
  }

  async close(): Promise<void> {
    await this.stopApp();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
