import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from '../../lib';
import { createApp, type ExampleAppOptions } from '../../example-app/app';
import { recordingLogger, SECRET } from '../helpers';

export { recordingLogger };

/** The example users file: user1 (own workspace), user2 (+ client_projects), user3 (super-user). */
export const EXAMPLE_USERS_FILE = path.join(__dirname, '..', '..', 'example-app', 'users.example.yml');

/** The demo credentials documented in the users file and the README. */
export const DEMO = {
  user1: { password: 'user1-password', apiKey: 'ThisIsTheUser1APIKEY' },
  user2: { password: 'user2-password', apiKey: 'ThisIsTheUser2APIKEY' },
  user3: { password: 'user3-password', apiKey: 'ThisIsTheUser3APIKEY' },
} as const;

/** The example app with the example users, independent of the environment. */
export function exampleApp(options: Omit<ExampleAppOptions, 'auth'> & { usersFile?: string; logger?: Logger } = {}) {
  const { usersFile = EXAMPLE_USERS_FILE, logger = recordingLogger(), ...rest } = options;
  return createApp({
    ...rest,
    auth: { usersFile, env: {}, secretKey: SECRET, watch: false, logger },
  });
}

/** The example app listening on an ephemeral port of localhost, for real clients and browsers. */
export async function startExampleApp(options: Parameters<typeof exampleApp>[0] = {}) {
  const { app, auth } = exampleApp(options);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    auth,
    close: async () => {
      auth.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
