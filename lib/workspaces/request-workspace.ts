import { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { RequestSlot } from '../util/request-slot';

/**
 * Where `req.workspace` and `req.workspaces` live: as Express gives `req.query` and `req.path`,
 * accessors on Express's request prototype, over values kept per request (request-slot.ts).
 * Adding an own property to an Express request is slow (~19,000 instructions each on Node 20: V8 gives each
 * Express request a map of its own, so every new property copies the map's descriptors);
 * two of them cost more than the rest of the guard's work (bench/RESULTS.md, part 1).
 *
 * On a guarded request they behave as data properties for reading and assigning; `delete` does
 * not remove them, as it does not remove `req.query`. A request whose chain already has either
 * name from someone else (another library's accessor, an own property) gets own data properties.
 */

interface WorkspaceValues {
  workspace: unknown;
  /** The request's own array, made on first read. */
  workspaces: unknown;
  /** What the first read copies (or computes, for a super-user's list of every workspace). */
  source: readonly string[] | (() => string[]) | undefined;
}

const valuesOf = new RequestSlot<WorkspaceValues>('express-workspace-auth: req.workspace and req.workspaces');

function listOf(values: WorkspaceValues): unknown {
  const { source } = values;
  if (source !== undefined) {
    values.workspaces = typeof source === 'function' ? source() : source.slice();
    values.source = undefined;
  }
  return values.workspaces;
}

/**
 * An assignment to a request the plugin has not guarded makes a plain own property, as it
 * always did: apps of the same Express that never use the plugin keep their `req.workspace`
 * as it was (listed, deletable, apart from `res.locals`).
 */
const ownProperty = (req: object, name: string, value: unknown): void => {
  Object.defineProperty(req, name, { value, writable: true, enumerable: true, configurable: true });
};

/** An assignment to a request without the plugin's values: its own property; to Express's request prototype itself: kept aside, so the accessors stay. */
function assignUnguarded(target: object, name: keyof typeof ACCESSORS, value: unknown): void {
  if (isOurs(target, name)) {
    const values: WorkspaceValues = { workspace: undefined, workspaces: undefined, source: undefined };
    values[name] = value;
    valuesOf.set(target, values);
  } else {
    ownProperty(target, name, value);
  }
}

const ACCESSORS = {
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
} satisfies PropertyDescriptorMap;

const isOurs = (holder: object, name: keyof typeof ACCESSORS): boolean => Object.getOwnPropertyDescriptor(holder, name)?.get === ACCESSORS[name].get;

/**
 * Whether requests with this prototype read our accessors: Express's request prototype (the
 * one every app's `app.request` inherits from, so a request leaving a sub-app still reads them)
 * gets them the first time, unless something else already has either name.
 */
const usesAccessors = new WeakMap<object, boolean>();

function accessorsReachable(prototype: object | null): boolean {
  if (prototype === null) return false;
  let known = usesAccessors.get(prototype);
  if (known === undefined) {
    known = installFor(prototype);
    usesAccessors.set(prototype, known);
  }
  return known;
}

function installFor(prototype: object): boolean {
  // Express's request: the object in the chain just above http.IncomingMessage.prototype.
  let expressRequest: object | null = prototype;
  while (expressRequest !== null && Object.getPrototypeOf(expressRequest) !== IncomingMessage.prototype) expressRequest = Object.getPrototypeOf(expressRequest);
  if (expressRequest === null) return false;
  for (const name of ['workspace', 'workspaces'] as const) {
    for (let holder: object | null = prototype; holder !== null; holder = Object.getPrototypeOf(holder)) {
      if (Object.hasOwn(holder, name)) {
        if (holder === expressRequest && isOurs(holder, name)) break;
        return false;
      }
    }
  }
  if (!isOurs(expressRequest, 'workspace')) Object.defineProperties(expressRequest, ACCESSORS);
  return true;
}

/**
 * Sets `req.workspace` and `req.workspaces` for a request: the list is the request's own copy
 * of `workspaces`, or what `workspaces()` returns, made when first read (most handlers never
 * read it; a super-user's holds every workspace of the file).
 */
export function setRequestWorkspace(req: Request, workspace: string, workspaces: readonly string[] | (() => string[])): void {
  if (accessorsReachable(Object.getPrototypeOf(req)) && !Object.hasOwn(req, 'workspace') && !Object.hasOwn(req, 'workspaces')) {
    valuesOf.set(req, { workspace, workspaces: undefined, source: workspaces });
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
