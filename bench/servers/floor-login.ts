/**
 * The login floors of part 7's storms (issue 27): Express, a JSON body, one Map lookup and raw
 * `bcrypt.compare` — no limits, no token — beside the bare API-key route of part 1, so the
 * storm's API-key requests meet the same load as ours. Unbounded (BENCH_FLOOR_SHED unset): every
 * login hashed at once on libuv's pool. Shedding (BENCH_FLOOR_SHED=1): the least code that does
 * what ours' line does, one hash at a time, as many waiting as 1.5 s of hashes, the rest answered
 * 503 with Retry-After at once.
 *
 * Environment: BENCH_USERS_FILE (required), BENCH_FLOOR_SHED. IPC: the harness's, as every bench server.
 */
import bcrypt from 'bcrypt';
import express from 'express';
import { loadFloorUsers, sha256 } from './floor-users';
import { hello, required, serve } from './harness';

const users = loadFloorUsers(required('BENCH_USERS_FILE'));
const hashes = new Map(users.records.map((record) => [record.user.username, record.hashedPassword]));

const shed = process.env.BENCH_FLOOR_SHED === '1';
const WAITING_ROOM = 24; // 1.5 s of 60 ms hashes
let hashing = false;
const waiting: Array<() => void> = [];
const compare = async (password: string, hash: string): Promise<boolean> => {
  if (!shed) return bcrypt.compare(password, hash);
  if (hashing) await new Promise<void>((resolve) => waiting.push(resolve));
  hashing = true;
  try {
    return await bcrypt.compare(password, hash);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else hashing = false;
  }
};

const app = express();
app.post('/api/security/token', express.json(), async (req, res) => {
  if (shed && hashing && waiting.length >= WAITING_ROOM) {
    res.status(503).set('Retry-After', '1').json({ code: 'login_busy' });
    return;
  }
  const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
  const hash = typeof username === 'string' ? hashes.get(username) : undefined;
  const ok = hash !== undefined && typeof password === 'string' && (await compare(password, hash));
  if (ok) res.json({ access_token: 'floor', token_type: 'bearer' });
  else res.status(401).json({ code: 'invalid_credentials' });
});
app.get('/guarded', (req, res, next) => {
  const key = req.headers['x-api-key'];
  const entry = typeof key === 'string' ? users.byApiKeyDigest.get(sha256(key)) : undefined;
  if (!entry) {
    res.status(401).json({ code: 'invalid_api_key' });
    return;
  }
  next();
}, hello);
serve(app, { loadMs: 0, users: users.byUsername.size });
