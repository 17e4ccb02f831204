import { isIPv6 } from 'node:net';
import type { Request } from 'express';
import type { Logger } from '../types';

/** The eight 16-bit groups of a valid IPv6 address (its zone dropped), and whether it was written ending in dotted IPv4. */
function groupsOf(ip: string): { groups: number[]; dotted: boolean } {
  let text = ip.split('%')[0] ?? '';
  const tail = text.slice(text.lastIndexOf(':') + 1);
  const dotted = tail.includes('.');
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, text.length - tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const [head, rest] = text.split('::');
  if (rest === undefined) return { groups: parse(head), dotted };
  const before = parse(head);
  const after = parse(rest);
  return { groups: [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after], dotted };
}

/**
 * RFC 5952's text of a /56 network address: lowercase hex groups, the longest run of zero
 * groups as `::` (its last four groups are zero, so there is always one).
 */
function networkText(groups: readonly number[]): string {
  let runStart = 0;
  let runLength = 0;
  for (let start = 0; start < groups.length; start++) {
    let length = 0;
    while (groups[start + length] === 0) length++;
    if (length > runLength) [runStart, runLength] = [start, length];
    start += length;
  }
  const hex = groups.map((group) => group.toString(16));
  return `${hex.slice(0, runStart).join(':')}::${hex.slice(runStart + runLength).join(':')}/56`;
}

/**
 * The client an address counts as: an IPv4 address as it is; an IPv6 address widened to its
 * /56 (`2001:db8:1234:5600::/56`), since one subscriber commonly holds a whole /56 or /64 and
 * would otherwise get a fresh limit per address; an IPv4-mapped one (`::ffff:1.2.3.4`, also in
 * hex) as its IPv4 address. The keys express-rate-limit's ipKeyGenerator made, which the plugin
 * used before: counts kept in Redis carry over.
 */
export function clientKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const { groups, dotted } = groupsOf(ip);
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  // ::ffff:0:0/96, or the deprecated IPv4-compatible ::a.b.c.d (whose range `::1` shares: the notation tells them apart).
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0xffff || (dotted && g5 === 0))) {
    return `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  }
  return networkText([g0 ?? 0, g1 ?? 0, g2 ?? 0, (g3 ?? 0) & 0xff00, 0, 0, 0, 0]);
}

/** The client a request counts against: its address as Express reads it (`req.ip`, which follows `trust proxy`), by `clientKey`. */
export function clientKeyOf(req: Request): string {
  return clientKey(req.ip ?? req.socket.remoteAddress ?? '');
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
