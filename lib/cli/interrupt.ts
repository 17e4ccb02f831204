/**
 * What must be undone if the bin is interrupted (Ctrl-C, SIGTERM) in the middle of an edit: a
 * lock file, a temporary file, a terminal in raw mode. Synchronous, as a signal handler must
 * finish before the process exits. The bin (lib/cli.ts) installs the handlers; commands run
 * in-process by specs only register and unregister.
 */
const cleanups = new Set<() => void>();

/** Registers a cleanup for an interrupt; the function returned unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup once, newest first. */
export function runInterruptCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // an interrupt must still end the process
    }
  }
}

/** The exit code of an interrupted command: 128 + the signal's number, as shells report it (SIGINT: 130). */
export const INTERRUPTED_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
