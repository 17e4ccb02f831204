/**
 * The floor of app start (part 2): the least code that starts an app on a users file's users.
 * Read the file, parse it with plain js-yaml (no checks, no warnings, no copies), put each user
 * in a Map by username and by the SHA-256 of the API key, and listen. What ours does beyond it:
 * every check and warning of the file, values copied off the file's text, team lists shared.
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { load } from 'js-yaml';
import { hello, required, serve } from './harness';

type Entry = Record<string, unknown>;

const started = performance.now();
const entries = load(readFileSync(required('BENCH_USERS_FILE'), 'utf8')) as Entry[];
const byUsername = new Map<unknown, Entry>();
const byApiKeyDigest = new Map<string, Entry>();
for (const entry of entries) {
  byUsername.set(entry.username, entry);
  byApiKeyDigest.set(hash('sha256', String(entry.api_key), 'binary'), entry);
}
const loadMs = performance.now() - started;

const app = express();
app.get('/guarded', hello);
serve(app, { loadMs, users: byUsername.size });
