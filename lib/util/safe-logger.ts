import type { Logger } from '../types';

type Level = keyof Logger;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * The app's logger, safe to call anywhere: the plugin logs from request handlers, timers and
 * Redis events, where a logger that throws or rejects (a broken transport) would turn an answer
 * into a 500 or end the process. Such a failure is written to the console instead, once per
 * message, with the message.
 */
export function safeLogger(logger: Logger): Logger {
  const failed = (level: Level, message: string) => (error: unknown) => {
    try {
      console.error(`[express-workspace-auth] The logger's ${level}() failed (${error instanceof Error ? error.message : String(error)}) on: ${message}`);
    } catch {
      // Nowhere left to say it.
    }
  };
  const call = (level: Level) => (message: string) => {
    try {
      const result: unknown = logger[level](message);
      if (isThenable(result)) result.then(undefined, failed(level, message));
    } catch (error) {
      failed(level, message)(error);
    }
  };
  return { info: call('info'), warn: call('warn'), error: call('error') };
}
