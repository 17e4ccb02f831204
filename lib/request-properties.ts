import { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { RequestSlot } from './request-slot';

/**
 * Where `req.user`, `req.workspace` and `req.workspaces` live: as Express gives `req.query` and
 * `req.path`, accessors on Express's request prototype, over values kept per request
 * (request-slot.ts). Adding an own property to an Express request is slow (~19,000
 * instructions, ~4% of a trivial request, each on Node 20: V8 gives each Express request a
 * map of its own, so every new property copies the map's descriptors): `req.user` alone cost
 * more than the rest of `authenticate`'s work (bench/RESULTS.md, part 1).
 *
 * On a request the plugin set them on they behave as data properties for reading and
 * assigning; `delete` does not remove them, as it does not remove `req.query`. Elsewhere an
 * assignment makes a plain own property, as it always did, so the app's own Passport users
 * are untouched. A name that someone else already has on the chain (another library's
 * accessor, an own property of the request) stays a plain own property.
 */

const NAMES = ['user', 'workspace', 'workspaces'] as const;
type Name = (typeof NAMES)[number];

interface RequestValues {
  user: unknown;
  workspace: unknown;
  /** The request's own array, made on first read. */
  workspaces: unknown;
  /** What the first read of `workspaces` copies (or computes, for a super-user's list of every workspace). */
  source: readonly string[] | (() => string[]) | undefined;
}

const valuesOf = new RequestSlot<RequestValues>('express-workspace-auth: req.user, req.workspace and req.workspaces');

const noValues = (): RequestValues => ({ user: undefined, workspace: undefined, workspaces: undefined, source: undefined });

/** The request's values, made empty the first time. */
function valuesFor(req: object): RequestValues {
  let values = valuesOf.get(req);
  if (values === undefined) {
    values = noValues();
    valuesOf.set(req, values);
  }
  return values;
}

function listOf(values: RequestValues): unknown {
  const { source } = values;
  if (source !== undefined) {
    values.workspaces = typeof source === 'function' ? source() : source.slice();
    values.source = undefined;
  }
  return values.workspaces;
}

const ownProperty = (req: object, name: Name, value: unknown): void => {
  Object.defineProperty(req, name, { value, writable: true, enumerable: true, configurable: true });
};

/**
 * An assignment to a request without the plugin's values makes its own property, so apps of
 * the same Express that never use the plugin keep `req.user` and `req.workspace` as they were
 * (listed, deletable, apart from `res.locals`); one to Express's request prototype itself is
 * kept aside, so the accessors stay.
 */
function assignUnguarded(target: object, name: Name, value: unknown): void {
  if (isOurs(target, name)) valuesFor(target)[name] = value;
  else ownProperty(target, name, value);
}

const ACCESSORS = {
  user: {
    configurable: true,
    enumerable: true,
    get(this: object): unknown {
      return valuesOf.get(this)?.user;
    },
    set(this: object, value: unknown): void {
      const values = valuesOf.get(this);
      if (values) values.user = value;
      else assignUnguarded(this, 'user', value);
    },
  },
  workspace: {
    configurable: true,
    enumerable: true,
    get(this: object): unknown {
      return valuesOf.get(this)?.workspace;
    },
    set(this: object, value: unknown): void {
      const values = valuesOf.get(this);
      if (values) values.workspace = value;
      else assignUnguarded(this, 'workspace', value);
    },
  },
  workspaces: {
    configurable: true,
    enumerable: true,
    get(this: object): unknown {
      const values = valuesOf.get(this);
      return values && listOf(values);
    },
    set(this: object, value: unknown): void {
      const values = valuesOf.get(this);
      if (!values) {
        assignUnguarded(this, 'workspaces', value);
        return;
      }
      values.workspaces = value;
      values.source = undefined;
    },
  },
} satisfies Record<Name, PropertyDescriptor>;

const isOurs = (holder: object, name: Name): boolean => Object.getOwnPropertyDescriptor(holder, name)?.get === ACCESSORS[name].get;

/**
 * Per request prototype, the names its requests read through our accessors: Express's request
 * prototype (the one every app's `app.request` inherits from, so a request leaving a sub-app
 * still reads them) gets each the first time, unless something else on the chain already has it.
 */
const reachableOn = new WeakMap<object, Record<Name, boolean>>();

function reachable(req: Request, name: Name): boolean {
  const prototype: object | null = Object.getPrototypeOf(req);
  if (prototype === null) return false;
  let names = reachableOn.get(prototype);
  if (names === undefined) {
    names = installFor(prototype);
    reachableOn.set(prototype, names);
  }
  return names[name] && !Object.hasOwn(req, name);
}

function installFor(prototype: object): Record<Name, boolean> {
  const names = { user: false, workspace: false, workspaces: false };
  // Express's request: the object in the chain just above http.IncomingMessage.prototype.
  let expressRequest: object | null = prototype;
  while (expressRequest !== null && Object.getPrototypeOf(expressRequest) !== IncomingMessage.prototype) expressRequest = Object.getPrototypeOf(expressRequest);
  if (expressRequest === null) return names;
  for (const name of NAMES) names[name] = takenBySomeoneElse(prototype, expressRequest, name) === false;
  for (const name of NAMES) {
    if (names[name] && !isOurs(expressRequest, name)) Object.defineProperty(expressRequest, name, ACCESSORS[name]);
  }
  return names;
}

function takenBySomeoneElse(prototype: object, expressRequest: object, name: Name): boolean {
  for (let holder: object | null = prototype; holder !== null; holder = Object.getPrototypeOf(holder)) {
    if (Object.hasOwn(holder, name)) return !(holder === expressRequest && isOurs(holder, name));
  }
  return false;
}

/** Sets `req.user` for a request the plugin authenticated: Passport's convention, for the app's handlers. */
export function setRequestUser(req: Request, user: Express.User): void {
  if (reachable(req, 'user')) {
    valuesFor(req).user = user;
    return;
  }
  // As Passport assigns it: through a setter of the app's, if it has one.
  req.user = user;
}

/**
 * Sets `req.workspace` and `req.workspaces` for a request: the list is the request's own copy
 * of `workspaces`, or what `workspaces()` returns, made when first read (most handlers never
 * read it; a super-user's holds every workspace of the file).
 */
export function setRequestWorkspace(req: Request, workspace: string, workspaces: readonly string[] | (() => string[])): void {
  if (reachable(req, 'workspace') && reachable(req, 'workspaces')) {
    const values = valuesFor(req);
    values.workspace = workspace;
    values.workspaces = undefined;
    values.source = workspaces;
    return;
  }
  // Defined, not assigned: an assignment would call a setter up the chain, or throw at a getter alone.
  ownProperty(req, 'workspace', workspace);
  if (typeof workspaces !== 'function') {
    ownProperty(req, 'workspaces', workspaces.slice());
    return;
  }
  let list: string[] | undefined;
  Object.defineProperty(req, 'workspaces', {
    configurable: true,
    enumerable: true,
    get: () => (list ??= workspaces()),
    set: (value: string[]) => {
      list = value;
    },
  });
}
