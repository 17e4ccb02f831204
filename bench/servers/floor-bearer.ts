/**
 * The bearer floor: the least code that does our bearer-token work with node:crypto alone.
 * Split `Authorization: Bearer <header>.<payload>.<signature>`, check the header names HS256,
 * HMAC-SHA256 the first two parts and compare in constant time, check `exp` (and `nbf` when
 * present), look the subject up in a Map, then requireWorkspace()'s work (floor-users.ts).
 * Not done here, and done by ours: trying the token as an API key first (the Argilla
 * client sends its key as a Bearer token), one more SHA-256 and Map miss per request.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import express, { type RequestHandler } from 'express';
import { admitToWorkspace, loadFloorUsers } from './floor-users';
import { hello, required, serve, SECRET_KEY } from './harness';

const started = performance.now();
const users = loadFloorUsers(required('BENCH_USERS_FILE'));
const loadMs = performance.now() - started;
const key = createSecretKey(Buffer.from(SECRET_KEY, 'utf8'));

const json = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** The token's subject, or undefined for anything but a valid, current HS256 token of ours. */
function subjectOf(token: string): string | undefined {
  const [header, payload, signature, extra] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) return undefined;
  try {
    if ((json(header) as { alg?: unknown }).alg !== 'HS256') return undefined;
    const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = json(payload) as { sub?: unknown; exp?: unknown; nbf?: unknown };
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return undefined;
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

const floorBearer: RequestHandler = (req, res, next) => {
  const match = /^Bearer +([^\s]+) *$/i.exec(req.headers.authorization ?? '');
  const subject = match?.[1] === undefined ? undefined : subjectOf(match[1]);
  if (subject === undefined) {
    res.status(401).json({ code: 'invalid_token' });
    return;
  }
  admitToWorkspace(users.byUsername.get(subject), req, res, next);
};

const app = express();
app.get('/guarded', floorBearer, hello);
serve(app, { loadMs, users: users.byUsername.size });
