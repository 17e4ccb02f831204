import type { CliIo } from './io';

/** From this size an edit takes long enough (1.3-1.8 s per 50,000 users on an idle machine here, docs/cli.md) to say what it is doing. */
export const PROGRESS_FROM_BYTES = 1024 * 1024;

export interface Progress {
  step(text: string): void;
  done(): void;
}

const SILENT: Progress = { step: () => undefined, done: () => undefined };

/**
 * What a long edit is doing, on one line of a terminal's standard error, rewritten at each step
 * and cleared at the end. The steps run synchronously (loading 100,000 users blocks), and a
 * write to a terminal is synchronous too, so each line shows before its step starts. Nothing is
 * shown when standard error is not a terminal (a script's log) or the file is small.
 */
export function progressOf(io: CliIo, bytes: number): Progress {
  if (io.stderrIsTerminal !== true || bytes < PROGRESS_FROM_BYTES) return SILENT;
  let shown = false;
  return {
    step(text) {
      io.stderr(`\r\u001b[K${text}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr('\r\u001b[K');
      shown = false;
    },
  };
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
