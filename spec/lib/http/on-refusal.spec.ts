// onRefusal: every refusal in the app's own shape, after the plugin set the headers the status needs.
import express from 'express';
import request from 'supertest';
import type { RefusalResponder } from '../../../lib/index';
import { makeApp, USERS } from '../../helpers';

/** RFC 9457 problem details, as an app that answers every error that way would write them. */
const problemJson: RefusalResponder = (req, res, _next, refusal) => {
  res
    .status(refusal.status)
    .type('application/problem+json')
    .json({ type: `https://errors.example.com/${refusal.code}`, title: refusal.message, detail: refusal.message, status: refusal.status, instance: req.originalUrl });
};

const { app, auth } = makeApp({ onRefusal: problemJson, loginRateLimit: { limit: 1 } });
afterAll(() => auth.close());

it('shapes a 401, with WWW-Authenticate still set', async () => {
  const response = await request(app).get('/ws');
  expect(response.status).toBe(401);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.headers['www-authenticate']).toBe('Bearer realm="express-workspace-auth"');
  expect(response.body).toEqual({
    type: 'https://errors.example.com/missing_credentials',
    title: expect.stringContaining('No credentials'),
    detail: expect.stringContaining('No credentials'),
    status: 401,
    instance: '/ws',
  });
});

it('shapes a bad token, with error="invalid_token" in the challenge', async () => {
  const response = await request(app).get('/ws').set('Authorization', 'Bearer nope');
  expect(response.status).toBe(401);
  expect(response.headers['www-authenticate']).toBe('Bearer realm="express-workspace-auth", error="invalid_token"');
  expect(response.body.type).toBe('https://errors.example.com/invalid_token');
});

it('shapes a 403 and a 400 from requireWorkspace', async () => {
  const forbidden = await request(app).get('/ws/user2').set('X-API-Key', USERS.user1.apiKey);
  expect(forbidden.status).toBe(403);
  expect(forbidden.body).toMatchObject({ type: 'https://errors.example.com/workspace_forbidden', status: 403, instance: '/ws/user2' });
  const malformed = await request(app).get('/ws?workspace=a%20b').set('X-API-Key', USERS.user1.apiKey);
  expect(malformed.status).toBe(400);
  expect(malformed.body.type).toBe('https://errors.example.com/invalid_workspace');
});

it('shapes the errors errorHandler owns: an unreadable login body', async () => {
  const response = await request(app).post('/api/security/token').set('Content-Type', 'application/json').send('{');
  expect(response.status).toBe(400);
  expect(response.body.type).toBe('https://errors.example.com/invalid_request');
});

it('shapes a 429, with Retry-After still set', async () => {
  const wrong = () => request(app).post('/api/security/token').send({ username: 'user1', password: 'wrong' });
  expect((await wrong()).status).toBe(401);
  const limited = await wrong();
  expect(limited.status).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(limited.body.type).toBe('https://errors.example.com/too_many_login_attempts');
});

it('is what auth.refuse uses for the app\'s own checks', async () => {
  const own = express();
  own.get('/copy/:target', auth.authenticate, (req, res, next) => {
    const refusal = auth.workspaceRefusal(req, req.params.target);
    if (refusal) return auth.refuse(req, res, next, refusal);
    res.json({ ok: true });
  });
  const response = await request(own).get('/copy/user2').set('X-API-Key', USERS.user1.apiKey);
  expect(response.status).toBe(403);
  expect(response.body.type).toBe('https://errors.example.com/workspace_forbidden');
});
