/**
 * The worker thread of a reload (off-thread-load.ts starts it): decodes, parses and validates
 * a changed users file with the same loader as start-up and `check`, and digests the API keys,
 * away from the event loop that serves requests. It serves one load. The users go back in batches on a port of
 * their own, which the main thread drains a slice at a time; then one message says how it went.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { UsersFileError } from '../errors';
import { loadUsers } from './load';
import { decodeUsersFile } from './read-file';
import { apiKeyDigest } from './users-index';
import { toBatch, type WorkerInput, type WorkerOutcome } from './worker-protocol';

/** Users per batch: one batch is a fraction of a millisecond of the main thread's time to take in and index. */
const BATCH = 500;

function run({ file, bytes, users }: WorkerInput, port: MessagePort): void {
  let outcome: WorkerOutcome;
  try {
    // Values left as slices of the text (no copies): posting a batch copies them into the main thread's own strings anyway.
    const loaded = loadUsers(decodeUsersFile(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), file, { detach: false });
    let batches = 0;
    for (let start = 0; start < loaded.records.length; start += BATCH) {
      users.postMessage(toBatch(loaded.records.slice(start, start + BATCH), apiKeyDigest));
      batches += 1;
    }
    outcome = { kind: 'loaded', batches, warnings: loaded.warnings };
  } catch (error) {
    outcome =
      error instanceof UsersFileError
        ? { kind: 'refused', problems: [...error.problems] }
        : { kind: 'failed', message: `${error instanceof Error ? error.name : 'Error'}: ${error instanceof Error ? error.message : String(error)}` };
  }
  port.postMessage(outcome);
}

// One message, the file: a worker serves one load.
const port = parentPort;
port?.once('message', (input: WorkerInput) => run(input, port));
