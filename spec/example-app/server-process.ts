import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { EXAMPLE_USERS_FILE } from './helpers';

export const ROOT = path.join(__dirname, '..', '..');

/**
 * The environment of a server process: this one's, without any users-file, auth or port
 * setting a developer may have exported, so the process reads only what a test gives it.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(ARGILLA|RUBRIX)_LOCAL_AUTH_|^PORT$|^REDIS_URL$/.test(name)) env[name] = value;
  }
  return {
    ARGILLA_LOCAL_AUTH_USERS_DB_FILE: EXAMPLE_USERS_FILE,
    ARGILLA_LOCAL_AUTH_SECRET_KEY: 'a-server-process-secret-of-at-least-32-characters',
    ...env,
    ...extra,
  };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): { output: () => Omit<Finished, 'code' | 'signal'>; exited: Promise<Finished> } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { output: () => ({ stdout, stderr }), exited };
}

/** Runs a command of this repository to its end, e.g. `npm start` that must refuse to start. */
export function runToExit(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // A start that should fail but listens instead must not hang the suite.
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return collect(child).exited.finally(() => clearTimeout(timer));
}

export interface ServerProcess {
  /** `http://localhost:<port>`, as the server printed it. */
  url: string;
  port: number;
  output: () => { stdout: string; stderr: string };
  /** Stops the server with SIGTERM, as Ctrl-C or docker stop would; resolves with how it ended. */
  stop: () => Promise<Finished>;
}

/**
 * Starts the example app's server (example-app/server.ts, what `npm start` runs) in a process
 * of its own on a free port (PORT=0), and resolves once it prints the URL it listens on.
 */
export async function startServerProcess(env: NodeJS.ProcessEnv = cleanEnv()): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'example-app/server.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = collect(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The server did not start within 30 s:\n${output().stderr}`)), 30_000);
    const onData = () => {
      const match = /example app on http:\/\/localhost:(\d+)/.exec(output().stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    exited.then((finished) => {
      clearTimeout(timer);
      reject(new Error(`The server exited (${String(finished.code)}) before listening:\n${finished.stderr}`));
    }, reject);
  });
  return {
    url: `http://localhost:${port}`,
    port,
    output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
