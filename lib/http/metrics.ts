import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConfigError, type Problem } from '../errors';
import type { LimitKind } from '../protection/protection';
import { REFUSALS } from '../refusals';
import type { LoginFailureReason } from '../types';
import { refuseRequestAsArgument } from '../util/misuse';
import type { AuthEvents } from './events';
import type { AuthStatus } from './status';

/*
 * Prometheus metrics of what auth does, on the host's own prom-client: the plugin imports no
 * metrics library (its install footprint stays as it is), and the host's registry serves these
 * beside its own metrics. The shapes below are the part of prom-client (14 and 15) used here.
 */

/** A prom-client registry: `client.register`, or a `new client.Registry()`. */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
}

type Labels = Record<string, string>;
interface MetricConfig<Registry> {
  name: string;
  help: string;
  labelNames?: readonly string[];
  registers?: Registry[];
}

/** The prom-client module (`import client from 'prom-client'`), or anything shaped like it. */
export interface PromClient<Registry extends MetricsRegistry = MetricsRegistry> {
  register: Registry;
  Counter: new (config: MetricConfig<Registry>) => { inc(labels: Labels, value?: number): void; inc(value?: number): void };
  Gauge: new (config: MetricConfig<Registry> & { collect?: () => void }) => { set(value: number): void };
  Histogram: new (config: MetricConfig<Registry>) => { observe(labels: Labels, value: number): void };
}

/** What the metrics read of the plugin (`workspaceAuth()` returns it): its events and `status()`. */
export interface AuthMetricsSource {
  on<Name extends keyof AuthEvents>(name: Name, listener: (...payload: AuthEvents[Name]) => void): unknown;
  status(): AuthStatus;
}

export interface AuthMetricsOptions<Registry extends MetricsRegistry = MetricsRegistry> {
  /** Where the metrics are registered and served from. Default: `client.register`, prom-client's global registry. */
  registry?: Registry;
  /** The path that serves the registry in Prometheus text format, or `false` when the host serves it. Default: `/metrics`. */
  metricsPath?: string | false;
  /** The plugin's `apiPrefix` option, so logins are timed on the right path. Default: `/api`. */
  apiPrefix?: string;
}

// Every label value is one of these lists (or a response status): a scrape's series are bounded,
// and none ever holds a username, key, token, address or path. Typed as records so that a new
// failure reason or limit kind does not compile until it is listed here.
const LOGIN_OUTCOMES = Object.keys({
  ok: true,
  unknown_user: true,
  wrong_password: true,
  user_disabled: true,
  invalid_login_fields: true,
  missing_login_fields: true,
} satisfies Record<'ok' | LoginFailureReason, true>);
const LIMIT_KINDS = Object.keys({ login: true, 'login-client': true, 'login-busy': true, 'key-and-token': true } satisfies Record<LimitKind, true>);
const OTHER = 'other';

/** `path` as Express's routing matches it by default: case-insensitive, with or without a trailing slash. */
function matchesPath(path: string, target: string): boolean {
  const length = path.endsWith('/') && path.length > 1 ? path.length - 1 : path.length;
  return length === target.length && path.slice(0, length).toLowerCase() === target;
}

/** Whether `value` has these methods: `auth` is a function with members, the prom-client module an object. */
function hasMethods(value: unknown, names: readonly string[]): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** JavaScript callers can pass anything: each wrong argument is named at the call, not met as a TypeError at a request. */
function checkArguments(auth: unknown, client: unknown, registry: unknown): void {
  const problems: Problem[] = [];
  if (!hasMethods(auth, ['on', 'status'])) problems.push({ where: 'authMetrics(auth, ...)', message: 'The first argument must be the plugin: what workspaceAuth() returned.' });
  if (!hasMethods(client, ['Counter', 'Gauge', 'Histogram'])) {
    problems.push({ where: 'authMetrics(..., client)', message: 'The second argument must be the prom-client module: import client from "prom-client". A registry goes in the options: { registry }.' });
  } else if (!hasMethods(registry ?? (client as { register?: unknown }).register, ['metrics'])) {
    problems.push({ where: 'authMetrics(..., { registry })', message: 'The registry must be a prom-client Registry: client.register, or a new client.Registry().' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * Registers auth's metrics on the host's prom-client and returns a middleware, mounted before the
 * plugin, that serves them (`GET /metrics`) and times logins. Built on the plugin's events and
 * `status()`; only a login request gets a timer.
 *
 * ```ts
 * import client from 'prom-client';
 * app.use(authMetrics(auth, client));
 * app.use(auth);
 * ```
 */
export function authMetrics<Registry extends MetricsRegistry>(
  auth: AuthMetricsSource,
  client: PromClient<Registry>,
  options: Readonly<AuthMetricsOptions<Registry>> = {},
): RequestHandler {
  refuseRequestAsArgument(auth, {
    factory: 'authMetrics',
    written: 'app.use(authMetrics)',
    intended: 'app.use(authMetrics(auth, client))',
    advice: 'Call it once, at start, with the plugin and your prom-client module: import client from "prom-client"; app.use(authMetrics(auth, client));',
  });
  checkArguments(auth, client, options.registry);
  const registry = options.registry ?? client.register;
  const registers = [registry];
  const metricsPath = options.metricsPath === false ? false : (options.metricsPath ?? '/metrics').toLowerCase();
  const loginPath = `${options.apiPrefix ?? '/api'}/security/token`.toLowerCase();

  const logins = new client.Counter({ name: 'workspace_auth_logins_total', help: 'Logins by outcome: ok, or why they failed.', labelNames: ['outcome'], registers });
  const rateLimited = new client.Counter({
    name: 'workspace_auth_rate_limited_total',
    help: 'Requests refused by a failure limit (429) or shed by the full login line (login-busy, 503), by kind.',
    labelNames: ['kind'],
    registers,
  });
  const refusals = new client.Counter({ name: 'workspace_auth_refusals_total', help: 'Refusals answered by the plugin, by code and status.', labelNames: ['code', 'status'], registers });
  const reloads = new client.Counter({ name: 'workspace_auth_reloads_total', help: 'Changed users files put in force.', registers });
  const refusedReloads = new client.Counter({ name: 'workspace_auth_reloads_refused_total', help: 'Changed users files refused (the last good users stayed in force).', registers });
  const users = new client.Gauge({
    name: 'workspace_auth_users',
    help: 'Users in force.',
    registers,
    collect: () => users.set(auth.status().users),
  });
  const reloadAge = new client.Gauge({
    name: 'workspace_auth_last_reload_age_seconds',
    help: 'Seconds since the users in force were loaded (at start, or at the last accepted reload).',
    registers,
    collect: () => reloadAge.set((Date.now() - auth.status().loadedAt.getTime()) / 1000),
  });
  const loginDuration = new client.Histogram({
    name: 'workspace_auth_login_duration_seconds',
    help: 'Time from a login request reaching the app to its answer, by response status.',
    labelNames: ['status'],
    registers,
  });

  // Every series exists from the start at 0, so an alert on a rate sees the first failure.
  for (const outcome of LOGIN_OUTCOMES) logins.inc({ outcome }, 0);
  for (const kind of LIMIT_KINDS) rateLimited.inc({ kind }, 0);
  for (const [code, { status }] of Object.entries(REFUSALS)) refusals.inc({ code, status: String(status) }, 0);
  reloads.inc(0);
  refusedReloads.inc(0);

  // Only the payloads' closed fields become labels: never the username or the client.
  auth.on('login', () => logins.inc({ outcome: 'ok' }));
  auth.on('login-failed', ({ reason }) => logins.inc({ outcome: reason }));
  // `kind` and `code` are typed as any string: a value outside the plugin's own lists is counted as "other".
  auth.on('rate-limited', ({ kind }) => rateLimited.inc({ kind: LIMIT_KINDS.includes(kind) ? kind : OTHER }));
  auth.on('refused', ({ code, status }) => refusals.inc({ code: Object.hasOwn(REFUSALS, code) ? code : OTHER, status: String(status) }));
  auth.on('reload', () => reloads.inc());
  auth.on('reload-error', () => refusedReloads.inc());

  const timeLogin = (res: Response): void => {
    const start = performance.now();
    // 'finish' only: a client that hung up got no answer to time.
    res.once('finish', () => loginDuration.observe({ status: String(res.statusCode) }, (performance.now() - start) / 1000));
  };
  const serve = (res: Response, next: NextFunction): void => {
    registry.metrics().then((text) => {
      res.set('Content-Type', registry.contentType);
      res.set('Cache-Control', 'no-store');
      // A Buffer: Express 4 reorders the parameters of a string's Content-Type, and scrapers read it as prom-client wrote it.
      res.send(Buffer.from(text));
    }, next);
  };

  return function workspaceAuthMetrics(req: Request, res: Response, next: NextFunction): void {
    if (req.method === 'POST') {
      if (matchesPath(req.path, loginPath)) timeLogin(res);
    } else if (metricsPath !== false && (req.method === 'GET' || req.method === 'HEAD') && matchesPath(req.path, metricsPath)) {
      serve(res, next);
      return;
    }
    next();
  };
}
