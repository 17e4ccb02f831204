import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';

const CHILD = path.join(__dirname, 'fixtures', 'auth-server-child.ts');
// The Express of this run of the suite (jest.config.js), for the child too.
const EXPRESS_4 = (globalThis as { EXPRESS_MAJOR?: number }).EXPRESS_MAJOR === 4 ? ['--require', path.join(__dirname, 'fixtures', 'express4-alias.cjs')] : [];

export interface AuthServerProcess {
  port: number;
  /** Everything it printed so far. */
  output(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** How it ended, once it has. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * The plugin's routes in a process of their own (spec/fixtures/auth-server-child.ts), run with
 * `--unhandled-rejections=strict`: an unhandled rejection ends it, as it ends a production
 * process. Its load is then its own, apart from the spec's clients.
 */
export async function startAuthServer(scenario: 'floods' | 'hooks'): Promise<AuthServerProcess> {
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', ...EXPRESS_4, '--import', 'tsx', CHILD, scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s:\n${output}`)), 30_000);
    const onData = () => {
      const match = /listening (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before listening:\n${output}`));
    });
  });
  return {
    port,
    output: () => output,
    alive: () => running,
    exited,
    async stop() {
      if (running) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Answer {
  status: number;
  /** Milliseconds from the request to its answer. */
  ms: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request on a connection of its own, answered or given up after `timeoutMs` (status 0 then),
 * so that a spec stays bounded in time even when the server does not answer.
 */
export function send(
  port: number,
  request: { method?: string; path: string; client: string; headers?: Record<string, string>; body?: object | string },
  timeoutMs = 5000,
): Promise<Answer> {
  const started = performance.now();
  // A string is sent as it is (an unreadable body, say), with the Content-Type the request names.
  const body = request.body === undefined || typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: request.method ?? (body === undefined ? 'GET' : 'POST'),
        path: request.path,
        agent: false,
        headers: { 'X-Forwarded-For': request.client, ...(body !== undefined && { 'Content-Type': 'application/json' }), ...request.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, headers: res.headers, body: text }));
        res.on('error', () => resolve({ status: 0, ms: performance.now() - started, headers: {}, body: text }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timed out')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started, headers: {}, body: '' }));
    req.end(body);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
