import request from 'supertest';
import { makeApp, USERS } from '../helpers';

const { app, auth } = makeApp({ loginRateLimit: { limit: 3, windowMs: 60_000 } });
// Clients are told apart by address; behind this test's "proxy" the address comes from X-Forwarded-For.
app.set('trust proxy', true);
afterAll(() => auth.close());

function login(client: string, username: string, password: string) {
  return request(app).post('/api/security/token').set('X-Forwarded-For', client).send({ username, password });
}

describe('failed-login limit', () => {
  it('answers 429 with Retry-After after the limit of failures for a username from a client, even to the right password', async () => {
    for (let attempt = 0; attempt < 3; attempt++) expect((await login('10.0.0.1', 'user1', 'guess')).status).toBe(401);
    const locked = await login('10.0.0.1', 'user1', USERS.user1.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).toEqual({ code: 'too_many_login_attempts', message: expect.stringContaining('Retry-After'), detail: locked.body.message });
  });

  it('locks out no other username, no other client, and no API key', async () => {
    for (let attempt = 0; attempt < 4; attempt++) await login('10.0.0.2', 'user2', 'guess');
    expect((await login('10.0.0.2', 'user2', USERS.user2.password)).status).toBe(429);
    expect((await login('10.0.0.2', 'user3', USERS.user3.password)).status).toBe(200);
    expect((await login('10.0.0.3', 'user2', USERS.user2.password)).status).toBe(200);
    expect((await request(app).get('/api/me').set('X-Forwarded-For', '10.0.0.2').set('X-API-Key', USERS.user2.apiKey)).status).toBe(200);
  });

  it('counts unknown usernames like known ones', async () => {
    for (let attempt = 0; attempt < 3; attempt++) expect((await login('10.0.0.4', 'nobody', 'guess')).status).toBe(401);
    expect((await login('10.0.0.4', 'nobody', 'guess')).status).toBe(429);
  });

  it('does not count successful logins', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expect((await login('10.0.0.5', 'htuser', USERS.htuser.password)).status).toBe(200);
  });
});
