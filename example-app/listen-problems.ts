/** The example app's port: `PORT` from the environment, checked, with messages for people. */

export const DEFAULT_PORT = 6900;

/** The port to listen on, or why `PORT` cannot be used. `0` asks the system for a free port. */
export function parsePort(value: string | undefined): { port: number } | { problem: string } {
  if (value === undefined) return { port: DEFAULT_PORT };
  // An empty or odd value would otherwise become port 0 (any port) or a crash in listen().
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    return { problem: `PORT must be a port number from 0 to 65535 (0: any free port), not ${JSON.stringify(value.slice(0, 40))}. For example: PORT=6901 npm start` };
  }
  return { port: Number(value) };
}

/** What to tell someone whose port could not be opened, with how to pick another. */
export function listenProblem(error: NodeJS.ErrnoException, port: number): string {
  const other = port === 6901 ? 6902 : 6901;
  switch (error.code) {
    case 'EADDRINUSE':
      return (
        `Port ${port} is already in use: another program listens on it` +
        (port === DEFAULT_PORT ? ' (6900 is also the port of Argilla itself)' : '') +
        `. Stop that program, or pick another port: PORT=${other} npm start`
      );
    case 'EACCES':
      return `This user may not listen on port ${port} (ports below 1024 need privileges). Pick another port: PORT=${other} npm start`;
    default:
      return `Cannot listen on port ${port}: ${error.message}. Pick another port: PORT=${other} npm start`;
  }
}
