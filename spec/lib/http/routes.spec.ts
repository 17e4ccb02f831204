import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { workspaceAuth, type WorkspaceAuthOptions } from '../../../lib/index';
import { recordingLogger, SECRET, USERS, USERS_FILE } from '../../helpers';

/**
 * `app.use(auth)` sends only requests that may be for the plugin's routes through its router
 * (the others skip it, for speed): the routes must answer every URL Express's router would
 * match, and every other request must reach the app as before.
 */
const KEY = { 'X-API-Key': USERS.user1.apiKey };

function appWith(options: WorkspaceAuthOptions = {}, mountPath?: string) {
  const auth = workspaceAuth({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger(), ...options });
  const app = express();
  if (mountPath) app.use(mountPath, auth);
  else app.use(auth);
  app.use((req, res) => {
    res.status(404).json({ servedBy: 'app', url: req.originalUrl });
  });
  return { app, auth };
}

describe('the routes behind app.use(auth)', () => {
  const { app, auth } = appWith();
  afterAll(() => auth.close());

  it.each(['/api/me', '/API/ME', '/Api/Me', '/api/me/', '/api/me?pretty=1'])('answers GET %s, as Express routes are case-insensitive and not strict', async (url) => {
    const response = await request(app).get(url).set(KEY);
    expect(response.status).toBe(200);
    expect(response.body.username).toBe('user1');
  });

  it.each(['/API/SECURITY/TOKEN', '/api/security/token/'])('logs in at POST %s', async (url) => {
    const response = await request(app).post(url).send({ username: 'user1', password: USERS.user1.password });
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('bearer');
  });

  it('answers an absolute-form request target (as proxies send), which Express routes by its path', async () => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { status, body } = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
        const sent = http.request({ host: '127.0.0.1', port, path: `http://127.0.0.1:${port}/api/me`, headers: KEY }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode, body: text }));
        });
        sent.on('error', reject);
        sent.end();
      });
      expect(status).toBe(200);
      expect(JSON.parse(body).username).toBe('user1');
    } finally {
      server.close();
    }
  });

  it.each(['/', '/apiary', '/api', '/api/mine', '/api/security', '/api//me', '/x/api/me'])('leaves %s to the app', async (url) => {
    const response = await request(app).get(url).set(KEY);
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ servedBy: 'app', url });
  });
});

describe('the routes under other prefixes and mount paths', () => {
  it('serves them under apiPrefix, in any letter case', async () => {
    const { app, auth } = appWith({ apiPrefix: '/auth/v1.0' });
    await request(app).get('/AUTH/V1.0/me').set(KEY).expect(200);
    await request(app).get('/api/me').set(KEY).expect(404);
    auth.close();
  });

  it('serves them where the app mounts the plugin', async () => {
    const { app, auth } = appWith({}, '/accounts');
    await request(app).get('/accounts/api/me').set(KEY).expect(200);
    await request(app).get('/api/me').set(KEY).expect(404);
    auth.close();
  });

  it('serves them at the root with an empty apiPrefix', async () => {
    const { app, auth } = appWith({ apiPrefix: '' });
    await request(app).get('/me').set(KEY).expect(200);
    await request(app).post('/security/token').send({ username: 'user1', password: USERS.user1.password }).expect(200);
    auth.close();
  });

  it('lets Express read a prefix with a route parameter as it always has', async () => {
    const { app, auth } = appWith({ apiPrefix: '/:tenant' });
    await request(app).get('/acme/me').set(KEY).expect(200);
    auth.close();
  });
});
