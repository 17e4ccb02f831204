import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Logger } from '../types';

/**
 * The client a request counts against: its address as Express reads it (`req.ip`, which follows
 * `trust proxy`), an IPv6 address widened to its /56, since one subscriber commonly holds a
 * whole /56 or /64 and would otherwise get a fresh limit per address.
 */
export function clientKeyOf(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? '');
}

export const TRUST_PROXY_TRUE_WARNING =
  "Express's `trust proxy` is true: every X-Forwarded-For is believed, so each request can claim a new client " +
  'address and the per-client limits on failed logins, API keys and tokens count nothing. Set it to the number ' +
  "of proxies in front of the app (app.set('trust proxy', 1)) or to their addresses.";

/**
 * Warns once, at the first request it sees, when the app trusts every proxy. The setting is the
 * app's and may be made after the plugin is built, so only a request can tell.
 */
export function createTrustProxyCheck(logger: Logger): (req: Request) => void {
  let checked = false;
  return function checkTrustProxy(req) {
    if (checked) return;
    checked = true;
    if (req.app?.get('trust proxy') === true) logger.warn(TRUST_PROXY_TRUE_WARNING);
  };
}
