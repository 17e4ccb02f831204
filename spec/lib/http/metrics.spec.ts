// authMetrics: Prometheus metrics of what auth does, on the host's own prom-client, built on the
// plugin's events and status(). Every counter is driven through real requests to a real app.
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import client from 'prom-client';
import request from 'supertest';
import { authMetrics, ConfigError, workspaceAuth, type AuthEvents, type AuthMetricsOptions, type AuthStatus, type WorkspaceAuthOptions } from '../../../lib/index';
import { entry, recordingLogger, SECRET, tempDir, USERS, USERS_FILE } from '../../helpers';
import { readSeries } from '../../prometheus-text';

/** The plugin with its metrics on a registry of its own, mounted as the docs say: the metrics middleware first. */
function metricsApp(options: WorkspaceAuthOptions = {}, metricsOptions: Omit<AuthMetricsOptions, 'registry'> = {}) {
  const auth = workspaceAuth({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger(), ...options });
  const registry = new client.Registry();
  const app = express();
  app.use(authMetrics(auth, client, { registry, ...metricsOptions }));
  app.use(auth);
  app.get('/ws', auth.authenticate, auth.requireWorkspace(), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(auth.errorHandler);
  return { app, auth, registry };
}

async function scrape(app: express.Express, metricsPath = '/metrics'): Promise<Map<string, number>> {
  const response = await request(app).get(metricsPath);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return readSeries(response.text);
}

const login = (app: express.Express, body: object, url = '/api/security/token') => request(app).post(url).send(body);

describe('authMetrics on a real app', () => {
  const { app, auth } = metricsApp({ loginRateLimit: { limit: 2 }, keyAndTokenRateLimit: { limit: 2 } });
  afterAll(() => auth.close());

  it('starts with every series at 0: logins by outcome, rate limits by kind, refusals by code and status, reloads', async () => {
    const series = await scrape(app);
    for (const outcome of ['ok', 'unknown_user', 'wrong_password', 'user_disabled', 'invalid_login_fields', 'missing_login_fields']) {
      expect(series.get(`workspace_auth_logins_total{outcome="${outcome}"}`)).toBe(0);
    }
    for (const kind of ['login', 'login-client', 'login-busy', 'key-and-token']) expect(series.get(`workspace_auth_rate_limited_total{kind="${kind}"}`)).toBe(0);
    expect(series.get('workspace_auth_refusals_total{code="invalid_credentials",status="401"}')).toBe(0);
    expect(series.get('workspace_auth_refusals_total{code="login_busy",status="503"}')).toBe(0);
    expect(series.get('workspace_auth_reloads_total')).toBe(0);
    expect(series.get('workspace_auth_reloads_refused_total')).toBe(0);
    expect(series.get('workspace_auth_users')).toBe(6);
    expect(series.get('workspace_auth_last_reload_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts logins by outcome, and times them by status', async () => {
    expect((await login(app, { username: 'user1', password: USERS.user1.password })).status).toBe(200);
    expect((await login(app, { username: 'user2', password: 'not-it' })).status).toBe(401);
    expect((await login(app, { username: 'nobody', password: 'a guess' })).status).toBe(401);
    expect((await login(app, { username: 'sleepy', password: USERS.sleepy.password })).status).toBe(403);
    expect((await login(app, { username: 'user3' })).status).toBe(400);
    expect((await login(app, { username: 'u'.repeat(2000), password: 'x' })).status).toBe(400);
    const series = await scrape(app);
    for (const outcome of ['ok', 'wrong_password', 'unknown_user', 'user_disabled', 'missing_login_fields', 'invalid_login_fields']) {
      expect([outcome, series.get(`workspace_auth_logins_total{outcome="${outcome}"}`)]).toEqual([outcome, 1]);
    }
    expect(series.get('workspace_auth_login_duration_seconds_count{status="200"}')).toBe(1);
    expect(series.get('workspace_auth_login_duration_seconds_count{status="401"}')).toBe(2);
    expect(series.get('workspace_auth_login_duration_seconds_count{status="403"}')).toBe(1);
    expect(series.get('workspace_auth_login_duration_seconds_count{status="400"}')).toBe(2);
    // A bcrypt check (cost 10) took place in each 401: the timer ran from the request to the answer.
    expect(series.get('workspace_auth_login_duration_seconds_sum{status="401"}')).toBeGreaterThan(0.005);
    expect(series.get('workspace_auth_refusals_total{code="invalid_credentials",status="401"}')).toBe(2);
  });

  it('times a login on the paths Express routes to it (any case, a trailing slash), and no other request', async () => {
    const before = (await scrape(app)).get('workspace_auth_login_duration_seconds_count{status="200"}') ?? 0;
    expect((await login(app, { username: 'user1', password: USERS.user1.password }, '/API/Security/Token/')).status).toBe(200);
    await request(app).get('/api/me').set('X-API-Key', USERS.user1.apiKey);
    await request(app).get('/ws').set('X-API-Key', USERS.user2.apiKey);
    await request(app).post('/api/security/logout');
    await request(app).post('/api/security/tokens');
    const series = await scrape(app);
    expect(series.get('workspace_auth_login_duration_seconds_count{status="200"}')).toBe(before + 1);
    const timed = [...series].filter(([name]) => name.startsWith('workspace_auth_login_duration_seconds_count'));
    expect(timed.map(([name]) => name).sort()).toEqual(['200', '400', '401', '403'].map((status) => `workspace_auth_login_duration_seconds_count{status="${status}"}`));
  });

  it('counts refusals by code and status, and rate-limited requests by kind', async () => {
    expect((await request(app).get('/ws?workspace=client_projects').set('X-API-Key', USERS.user1.apiKey)).status).toBe(403);
    for (let attempt = 0; attempt < 3; attempt += 1) await request(app).get('/ws').set('X-API-Key', `wrong-key-${attempt}`);
    for (let attempt = 0; attempt < 3; attempt += 1) await login(app, { username: 'htuser', password: `wrong-${attempt}` });
    const series = await scrape(app);
    expect(series.get('workspace_auth_refusals_total{code="workspace_forbidden",status="403"}')).toBe(1);
    expect(series.get('workspace_auth_refusals_total{code="invalid_api_key",status="401"}')).toBe(2);
    expect(series.get('workspace_auth_refusals_total{code="too_many_failed_credentials",status="429"}')).toBe(1);
    expect(series.get('workspace_auth_rate_limited_total{kind="key-and-token"}')).toBe(1);
    expect(series.get('workspace_auth_refusals_total{code="too_many_login_attempts",status="429"}')).toBe(1);
    expect(series.get('workspace_auth_rate_limited_total{kind="login"}')).toBe(1);
  });

  it('serves HEAD /metrics too, and passes every other method on', async () => {
    expect((await request(app).head('/metrics')).status).toBe(200);
    // Nothing else of this app answers /metrics: the plugin's routes and then Express's 404.
    expect((await request(app).post('/metrics')).status).toBe(404);
  });
});

describe('authMetrics and reloads', () => {
  let folder: ReturnType<typeof tempDir>;
  beforeEach(() => {
    folder = tempDir();
  });
  afterEach(() => folder.remove());

  it('counts accepted and refused reloads, and tells the users in force and the seconds since they were loaded', async () => {
    const file = path.join(folder.dir, 'users.yml');
    writeFileSync(file, entry('alice'));
    const { app, auth } = metricsApp({ usersFile: file });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const started = await scrape(app);
      expect(started.get('workspace_auth_users')).toBe(1);
      expect(started.get('workspace_auth_last_reload_age_seconds')).toBeGreaterThanOrEqual(1);

      writeFileSync(file, entry('alice') + entry('bob'));
      await auth.reload();
      writeFileSync(file, `${entry('alice')}  workspace: [typo]\n`);
      await expect(auth.reload()).rejects.toThrow();
      const series = await scrape(app);
      expect(series.get('workspace_auth_reloads_total')).toBe(1);
      expect(series.get('workspace_auth_reloads_refused_total')).toBe(1);
      expect(series.get('workspace_auth_users')).toBe(2);
      expect(series.get('workspace_auth_last_reload_age_seconds')).toBeLessThan(1);
      const text = (await request(app).get('/metrics')).text;
      expect(text).not.toContain(folder.dir);
      expect(text).not.toContain('bob');
    } finally {
      auth.close();
    }
  });
});

describe('authMetrics options', () => {
  it('serves the registry on metricsPath, times logins under apiPrefix, and serves nothing with metricsPath: false', async () => {
    const moved = metricsApp({ apiPrefix: '/v1' }, { metricsPath: '/internal/Metrics', apiPrefix: '/v1' });
    const unserved = metricsApp({}, { metricsPath: false });
    try {
      expect((await request(moved.app).get('/metrics')).status).toBe(404);
      expect((await login(moved.app, { username: 'user1', password: 'not-it' }, '/v1/security/token')).status).toBe(401);
      const series = await scrape(moved.app, '/internal/metrics');
      expect(series.get('workspace_auth_login_duration_seconds_count{status="401"}')).toBe(1);

      expect((await request(unserved.app).get('/metrics')).status).toBe(404);
      expect(await unserved.registry.metrics()).toContain('workspace_auth_logins_total{outcome="ok"} 0');
    } finally {
      moved.auth.close();
      unserved.auth.close();
    }
  });

  it("registers on prom-client's global registry by default", async () => {
    const auth = workspaceAuth({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger() });
    try {
      authMetrics(auth, client);
      expect(await client.register.metrics()).toContain('workspace_auth_users 6');
    } finally {
      client.register.clear();
      auth.close();
    }
  });
});

describe('authMetrics label values', () => {
  it('counts a limit kind or a refusal code outside the plugin\'s own lists as "other", so the series stay bounded', async () => {
    // The event types allow any string for these two fields; a stand-in emitter sends what the plugin never does.
    const events = new EventEmitter<AuthEvents>();
    const status = (): AuthStatus => ({ users: 1, source: 'default user', defaultUserInForce: true, loadedAt: new Date(), lastRefusedReload: null });
    const registry = new client.Registry();
    authMetrics({ on: events.on.bind(events), status }, client, { registry });
    events.emit('rate-limited', { kind: 'made-up /home/jane', ip: '10.0.0.1' });
    events.emit('refused', { code: 'made_up', status: 418, ip: '10.0.0.1', method: 'GET', path: '/secret/path', username: 'jane' });
    const text = await registry.metrics();
    expect(text).toContain('workspace_auth_rate_limited_total{kind="other"} 1');
    expect(text).toContain('workspace_auth_refusals_total{code="other",status="418"} 1');
    for (const leaked of ['made-up', 'made_up', 'jane', '10.0.0.1', '/secret/path']) expect(text).not.toContain(leaked);
  });
});

describe('authMetrics misused', () => {
  const auth = workspaceAuth({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger() });
  afterAll(() => auth.close());
  // What a JavaScript caller may pass: the checks are for values the types would refuse.
  const call = (...args: unknown[]) => () => (authMetrics as (...given: unknown[]) => unknown)(...args);

  it('names each wrong argument at the call: not the plugin, not the prom-client module, not a registry', () => {
    expect(call(client, auth)).toThrow(ConfigError);
    expect(call(client, auth)).toThrow(/authMetrics\(auth, \.\.\.\): The first argument must be the plugin[\s\S]*authMetrics\(\.\.\., client\): The second argument must be the prom-client module/);
    expect(call(auth, client.register)).toThrow('The second argument must be the prom-client module: import client from "prom-client". A registry goes in the options: { registry }.');
    expect(call(auth, client, { registry: {} })).toThrow('The registry must be a prom-client Registry');
    expect(call(auth, undefined)).toThrow(ConfigError);
  });

  it("catches app.use(authMetrics) at the first request: the app's error handler gets the fix", async () => {
    const app = express();
    app.use(authMetrics as unknown as express.RequestHandler);
    app.use(((error, _req, res, _next) => {
      res.status(500).json({ message: (error as Error).message });
    }) as express.ErrorRequestHandler);
    const response = await request(app).get('/metrics');
    expect(response.body.message).toContain('It appears you have done `app.use(authMetrics)`, but it should be `app.use(authMetrics(auth, client))`.');
  });
});
