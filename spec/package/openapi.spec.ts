/**
 * docs/openapi.yaml: valid OpenAPI 3.1 for a maintained validator, its refusal codes the plugin's
 * own table (REFUSALS), each under the status the plugin answers it with, and its routes' statuses,
 * codes, headers and body fields what a real app answers to real requests.
 */
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import { dereference, validate } from '@readme/openapi-parser';
import express from 'express';
import request from 'supertest';
import { parse } from 'yaml';
import { API_KEY_HEADERS, REFUSALS, workspaceAuth, type RefusalCode, type WorkspaceAuthOptions } from '../../lib';
import { recordingLogger, SECRET, USERS, USERS_FILE } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const TEXT = readFileSync(path.join(ROOT, 'docs', 'openapi.yaml'), 'utf8');

// The parts of an OpenAPI document read here (after dereferencing: no $ref left).
interface Schema {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  enum?: string[];
  allOf?: Schema[];
}
interface ResponseObject {
  description: string;
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema: Schema }>;
}
interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, ResponseObject>;
}
interface Document {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string }>;
    schemas: Record<string, Schema>;
    responses: Record<string, ResponseObject>;
  };
}

const load = () => parse(TEXT) as Document;
let resolved: Document;
beforeAll(async () => {
  resolved = (await dereference(load() as never)) as unknown as Document;
});

/** A refusal response's codes: the enum that narrows `Refusal.code`, the last entry of its `allOf`. */
function codesOf(response: ResponseObject): string[] | undefined {
  const schema = response.content?.['application/json']?.schema;
  return schema?.allOf?.at(-1)?.properties?.code?.enum;
}

/** Every refusal response of the document: the routes' by their status, the reusable ones by their reason phrase. */
function refusalResponses(document: Document): Array<{ where: string; status: number; response: ResponseObject; codes: string[] }> {
  const fromRoutes = Object.entries(document.paths).flatMap(([route, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      Object.entries(operation.responses).map(([status, response]) => ({ where: `${method.toUpperCase()} ${route} ${status}`, status: Number(status), response })),
    ),
  );
  const byPhrase = (name: string) => Number(Object.keys(STATUS_CODES).find((code) => STATUS_CODES[code]?.replaceAll(' ', '') === name));
  const reusable = Object.entries(document.components.responses).map(([name, response]) => ({ where: `components.responses.${name}`, status: byPhrase(name), response }));
  return [...fromRoutes, ...reusable].flatMap((each) => {
    const codes = codesOf(each.response);
    return each.status >= 400 && codes ? [{ ...each, codes }] : [];
  });
}

describe('docs/openapi.yaml', () => {
  it('is valid OpenAPI 3.1 (@readme/openapi-parser), and the validator does refuse a broken copy', async () => {
    const document = load();
    expect(document.openapi).toBe('3.1.0');
    expect(await validate(load() as never)).toMatchObject({ valid: true, warnings: [] });
    // A response without its required description.
    const broken = load();
    const me = broken.paths['/api/me']?.get;
    if (me) me.responses['200'] = {} as ResponseObject;
    expect(await validate(broken as never)).toMatchObject({ valid: false });
  });

  it("has the package's version", () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(load().info.version).toBe(version);
  });

  it('describes the three routes of the plugin, and the API-key headers and bearer token the plugin reads', () => {
    const document = load();
    const routes = Object.entries(document.paths).flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`));
    expect(routes.sort()).toEqual(['GET /api/me', 'POST /api/security/logout', 'POST /api/security/token']);
    const schemes = Object.values(document.components.securitySchemes);
    expect(schemes.filter((scheme) => scheme.type === 'apiKey' && scheme.in === 'header').map((scheme) => scheme.name?.toLowerCase())).toEqual(
      API_KEY_HEADERS.map((header) => header.toLowerCase()),
    );
    expect(schemes.filter((scheme) => scheme.type === 'http')).toEqual([expect.objectContaining({ scheme: 'bearer' })]);
    expect(document.paths['/api/me']?.get?.security).toHaveLength(API_KEY_HEADERS.length + 1);
  });

  it('lists as refusal codes exactly those of the plugin (REFUSALS)', () => {
    expect([...(load().components.schemas.RefusalCode?.enum ?? [])].sort()).toEqual(Object.keys(REFUSALS).sort());
  });

  it('lists every refusal code under the status the plugin answers it with, with WWW-Authenticate on 401 and Retry-After on 429 and 503', () => {
    const refusals = refusalResponses(resolved);
    expect(refusals.length).toBeGreaterThan(10);
    for (const { where, status, response, codes } of refusals) {
      expect({ where, statuses: codes.map((code) => REFUSALS[code as RefusalCode]?.status) }).toEqual({ where, statuses: codes.map(() => status) });
      expect({ where, refusal: response.content?.['application/json']?.schema.allOf?.[0]?.required }).toEqual({ where, refusal: ['code', 'message', 'detail'] });
      const headers = Object.keys(response.headers ?? {});
      if (status === 401) expect({ where, headers }).toEqual({ where, headers: expect.arrayContaining(['WWW-Authenticate']) });
      if (status === 429 || status === 503) expect({ where, headers }).toEqual({ where, headers: expect.arrayContaining(['Retry-After']) });
    }
    const documented = new Set(refusals.flatMap(({ codes }) => codes));
    expect(Object.keys(REFUSALS).filter((code) => !documented.has(code))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// What a real app answers, against what the document says.

interface Answer {
  route: string;
  probe: string;
  response: request.Response;
}

function plugin(options: WorkspaceAuthOptions = {}) {
  const auth = workspaceAuth({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger(), ...options });
  const app = express();
  // Each probe comes from a client of its own (X-Forwarded-For), so the failure limits of one never touch another.
  app.set('trust proxy', 'loopback');
  app.use(auth);
  app.use(auth.errorHandler);
  return { app, auth };
}

const TOKEN = 'POST /api/security/token';
const LOGOUT = 'POST /api/security/logout';
const ME = 'GET /api/me';

describe('the routes of docs/openapi.yaml, answered by a real app', () => {
  const { app, auth } = plugin({ loginRateLimit: { limit: 2, clientLimit: 3 }, keyAndTokenRateLimit: { limit: 2 } });
  // A line that holds almost no one: of a burst, all but the first few logins are shed at once.
  const flooded = plugin({ maxConcurrentHashes: 1, loginQueue: { maxWaitMs: 1 } });
  afterAll(() => {
    auth.close();
    flooded.auth.close();
  });

  let clients = 0;
  const from = () => {
    clients += 1;
    return `10.29.0.${clients}`;
  };
  const login = (body: object | string, client = from()) => request(app).post('/api/security/token').set('X-Forwarded-For', client).send(body);
  const me = (headers: Record<string, string>, client = from()) => request(app).get('/api/me').set('X-Forwarded-For', client).set(headers);
  const logout = (headers: Record<string, string>) => request(app).post('/api/security/logout').set('X-Forwarded-For', from()).set(headers);

  const answers: Answer[] = [];
  beforeAll(async () => {
    const record = (route: string, probe: string, response: request.Response) => answers.push({ route, probe, response });
    const token = (await login({ username: 'user1', password: USERS.user1.password })).body.access_token as string;

    record(TOKEN, 'JSON login', await login({ username: 'user1', password: USERS.user1.password }));
    record(TOKEN, 'form login', await login(`username=user2&password=${USERS.user2.password}`));
    record(TOKEN, 'no password', await login({ username: 'user1' }));
    record(TOKEN, 'a username of 2000 characters', await login({ username: 'u'.repeat(2000), password: 'x' }));
    record(TOKEN, 'malformed JSON', await request(app).post('/api/security/token').set('Content-Type', 'application/json').send('{"username":'));
    record(TOKEN, 'a 20 KB body', await login({ username: 'user1', password: 'p'.repeat(20_000) }));
    record(TOKEN, 'wrong password', await login({ username: 'user2', password: 'not-it' }));
    record(TOKEN, 'a disabled user', await login({ username: 'sleepy', password: USERS.sleepy.password }));
    const guesser = from();
    for (let attempt = 0; attempt < 2; attempt += 1) await login({ username: 'htuser', password: 'wrong' }, guesser);
    record(TOKEN, 'a third wrong password for one username', await login({ username: 'htuser', password: 'wrong' }, guesser));
    const sprayer = from();
    for (const username of ['user1', 'user2', 'user3']) await login({ username, password: 'wrong' }, sprayer);
    record(TOKEN, 'a fourth wrong password across usernames', await login({ username: 'constructor', password: 'wrong' }, sprayer));
    const burst = await Promise.all(
      Array.from({ length: 6 }, () => request(flooded.app).post('/api/security/token').set('X-Forwarded-For', from()).send({ username: 'user1', password: USERS.user1.password })),
    );
    for (const response of burst) record(TOKEN, 'a burst of logins on a full line', response);

    record(ME, 'X-API-Key', await me({ 'X-API-Key': USERS.user1.apiKey }));
    record(ME, 'X-Argilla-Api-Key', await me({ 'X-Argilla-Api-Key': USERS.user2.apiKey }));
    record(ME, 'X-Rubrix-Api-Key', await me({ 'X-Rubrix-Api-Key': USERS.user3.apiKey }));
    record(ME, 'an access token', await me({ Authorization: `Bearer ${token}` }));
    record(ME, 'no credentials', await me({}));
    record(ME, 'an unknown API key', await me({ 'X-API-Key': 'not-a-key' }));
    record(ME, 'a forged token', await me({ Authorization: 'Bearer not.a.token' }));
    record(ME, 'two different keys', await me({ 'X-API-Key': USERS.user1.apiKey, 'X-Argilla-Api-Key': USERS.user2.apiKey }));
    record(ME, "a disabled user's key", await me({ 'X-API-Key': USERS.sleepy.apiKey }));
    const prober = from();
    for (let attempt = 0; attempt < 2; attempt += 1) await me({ 'X-API-Key': `guess-${attempt}` }, prober);
    record(ME, 'a third invalid key', await me({ 'X-API-Key': USERS.user1.apiKey }, prober));

    record(LOGOUT, 'an access token', await logout({ Authorization: `Bearer ${token}` }));
    record(LOGOUT, 'that token again', await logout({ Authorization: `Bearer ${token}` }));
    record(LOGOUT, 'no credentials', await logout({}));
    record(LOGOUT, 'an API key as the Bearer credential', await logout({ Authorization: `Bearer ${USERS.user1.apiKey}` }));
    record(LOGOUT, "a disabled user's key as the Bearer credential", await logout({ Authorization: `Bearer ${USERS.sleepy.apiKey}` }));
  });

  const operationOf = (route: string): Operation => {
    const [method = '', url = ''] = route.split(' ');
    const operation = resolved.paths[url]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${route} is not in docs/openapi.yaml`);
    return operation;
  };

  it('answers each request with a status the route documents, a refusal with a code listed under it, and the headers it lists', () => {
    expect(answers.length).toBeGreaterThan(25);
    for (const { route, probe, response } of answers) {
      const documented = operationOf(route).responses[String(response.status)];
      const seen = { route, probe, status: response.status, code: response.body?.code };
      expect({ ...seen, documented: documented !== undefined }).toEqual({ ...seen, documented: true });
      if (!documented) continue;
      for (const [name, header] of Object.entries(documented.headers ?? {})) {
        if (header.required) expect({ ...seen, [name]: response.headers[name.toLowerCase()] }).toEqual({ ...seen, [name]: expect.any(String) });
      }
      if (documented.headers?.['Retry-After']) expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const codes = codesOf(documented);
      if (codes) expect({ ...seen, listed: codes.includes(response.body.code) }).toEqual({ ...seen, listed: true });
    }
  });

  it('answers with the body fields the route documents as required, a refusal with `detail` the same text as `message`', () => {
    for (const { route, probe, response } of answers) {
      const schema = operationOf(route).responses[String(response.status)]?.content?.['application/json']?.schema;
      if (!schema) {
        expect({ route, probe, body: response.text }).toEqual({ route, probe, body: '' });
        continue;
      }
      const required = [...(schema.required ?? []), ...(schema.allOf?.flatMap((part) => part.required ?? []) ?? [])];
      expect({ route, probe, missing: required.filter((field) => !(field in response.body)) }).toEqual({ route, probe, missing: [] });
      if (response.status >= 400) expect({ route, probe, detail: response.body.detail }).toEqual({ route, probe, detail: response.body.message });
    }
  });

  it('answers every status each route documents, for some request', () => {
    for (const route of [TOKEN, LOGOUT, ME]) {
      const statuses = [...new Set(answers.filter((answer) => answer.route === route).map((answer) => String(answer.response.status)))].sort();
      expect({ route, statuses }).toEqual({ route, statuses: Object.keys(operationOf(route).responses).sort() });
    }
  });
});
