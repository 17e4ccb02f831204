import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { listenProblem, parsePort } from '../../example-app/listen-problems';
import { DEMO } from './helpers';
import { cleanEnv, runToExit, startServerProcess } from './server-process';

// Each case starts a real process (npm, tsx): seconds on a busy machine. A safety limit, not an assertion.
jest.setTimeout(60_000);

/** Holds a port the way another program (Argilla itself, on 6900) would. */
async function holdPort(): Promise<Server & { port: number }> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  return Object.assign(holder, { port: (holder.address() as AddressInfo).port });
}

describe('npm start (example-app/server.ts)', () => {
  it('on a port already in use: names the port, says how to pick another, and exits 1 without claiming to listen', async () => {
    const holder = await holdPort();
    try {
      const run = await runToExit('npm', ['--silent', 'start'], cleanEnv({ PORT: String(holder.port) }));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Port ${holder.port} is already in use`);
      expect(run.stderr).toContain('PORT=6901 npm start');
      expect(run.stdout).not.toContain('example app on');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.close();
    }
  });

  it('refuses a PORT that is not a port number with advice, exit 1', async () => {
    const run = await runToExit(process.execPath, ['--import', 'tsx', 'example-app/server.ts'], cleanEnv({ PORT: 'abc' }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('PORT must be a port number from 0 to 65535');
    expect(run.stdout).not.toContain('example app on');
  });

  it('on a free port: prints the URL it really listens on, answers there, and stops on SIGTERM with exit 0', async () => {
    const server = await startServerProcess();
    try {
      const response = await fetch(`${server.url}/api/me`, { headers: { 'X-API-Key': DEMO.user2.apiKey } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { username: string }).username).toBe('user2');
      const favicon = await fetch(`${server.url}/favicon.ico`);
      expect(favicon.status).toBe(200);
    } finally {
      const finished = await server.stop();
      expect(finished.code).toBe(0);
    }
  });
});

describe('the port rules of the example app', () => {
  it('reads PORT: 6900 by default, 0 for any free port, numbers up to 65535', () => {
    expect(parsePort(undefined)).toEqual({ port: 6900 });
    expect(parsePort('0')).toEqual({ port: 0 });
    expect(parsePort('65535')).toEqual({ port: 65535 });
    // An empty PORT would otherwise be Number('') = 0: any port, silently.
    for (const value of ['', ' 6900', 'abc', '65536', '70000', '-1', '6900.5', '0x1a', '1e3']) {
      expect(parsePort(value)).toEqual({ problem: expect.stringContaining('PORT must be a port number from 0 to 65535') });
    }
  });

  it('never echoes a long PORT value whole', () => {
    const { problem } = parsePort('x'.repeat(10_000)) as { problem: string };
    expect(problem.length).toBeLessThan(200);
  });

  it('explains a port it may not use, and any other listen error, with how to pick another', () => {
    const error = (code: string) => Object.assign(new Error(`listen ${code}`), { code });
    expect(listenProblem(error('EADDRINUSE'), 6900)).toBe(
      'Port 6900 is already in use: another program listens on it (6900 is also the port of Argilla itself). Stop that program, or pick another port: PORT=6901 npm start',
    );
    expect(listenProblem(error('EADDRINUSE'), 6901)).toContain('PORT=6902 npm start');
    expect(listenProblem(error('EACCES'), 80)).toContain('may not listen on port 80');
    expect(listenProblem(error('EADDRNOTAVAIL'), 7000)).toContain('Cannot listen on port 7000: listen EADDRNOTAVAIL');
  });
});
