// The default refusal body: `detail` beside `code` and `message`, holding the same text, because
// `detail` is the one field the Argilla and Rubrix clients print to their users.
import express from 'express';
import request from 'supertest';
import { REFUSALS, type RefusalCode } from '../../../lib';
import { makeApp } from '../../helpers';

const { app: pluginApp, auth } = makeApp();
afterAll(() => auth.close());

const codes = Object.keys(REFUSALS) as RefusalCode[];

it.each(codes)('answers %s as {code, message, detail}, detail the same text as message', async (code) => {
  const app = express();
  app.get('/refuse', (req, res, next) => auth.refuse(req, res, next, code));
  const response = await request(app).get('/refuse');
  expect(response.status).toBe(REFUSALS[code].status);
  expect(response.body).toEqual({ code, message: REFUSALS[code].message, detail: REFUSALS[code].message });
});

it('answers a real refusal of the plugin with detail: an unknown API key', async () => {
  const response = await request(pluginApp).get('/whoami').set('X-API-Key', 'nobody-has-this-key-0123');
  expect(response.status).toBe(401);
  expect(response.body).toEqual({ code: 'invalid_api_key', message: REFUSALS.invalid_api_key.message, detail: REFUSALS.invalid_api_key.message });
});
