/**
 * A value the plugin keeps per request, out of the app's sight: under a private symbol on
 * `res.locals`, the object Express makes for every request (a dictionary object, so a new key
 * is a cheap insert), non-enumerable so that spreading, copying or rendering the locals never
 * carries it. Not a WeakMap keyed by the request: two entries per request cost ~6% of
 * throughput, every short-lived key being an ephemeron for V8's collector; not a property of
 * `req`, which costs most (each new own property of an Express request copies its map's
 * descriptors: ~19,000 instructions on Node 20). Without `res.locals` (outside Express), a WeakMap.
 *
 * An app that replaces `res.locals` drops the values set before: the plugin then finds no
 * authenticated user, and refuses (401), never the reverse.
 */
type Locals = Record<symbol, unknown>;

function localsOf(req: object): Locals | undefined {
  const locals: unknown = (req as { res?: { locals?: unknown } }).res?.locals;
  return typeof locals === 'object' && locals !== null ? (locals as Locals) : undefined;
}

export class RequestSlot<T> {
  private readonly key: symbol;
  private readonly outsideExpress = new WeakMap<object, T>();

  constructor(description: string) {
    this.key = Symbol(description);
  }

  get(req: object): T | undefined {
    const locals = localsOf(req);
    return locals ? (locals[this.key] as T | undefined) : this.outsideExpress.get(req);
  }

  /** Sets the value and returns the one it replaces: one look at the request for both. */
  swap(req: object, value: T): T | undefined {
    const locals = localsOf(req);
    if (!locals) {
      const previous = this.outsideExpress.get(req);
      this.outsideExpress.set(req, value);
      return previous;
    }
    const previous = locals[this.key] as T | undefined;
    if (previous === undefined) Object.defineProperty(locals, this.key, { value, writable: true, configurable: true });
    else locals[this.key] = value;
    return previous;
  }
}
