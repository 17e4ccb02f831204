import { LoginQueue, type Admission, type Ticket } from '../../../lib/protection/login-queue';
import { ConcurrencyLimit } from '../../../lib/util/concurrency-limit';

type LineOptions = { concurrency?: number; hashes?: ConcurrencyLimit; maxWaitMs?: number; clientShare?: number; accountShare?: number; jobMs?: number };

/** A line where a check takes 100 ms: `maxWaitMs / 100` logins per concurrent check are answered within maxWaitMs. */
function line({ concurrency = 1, hashes = new ConcurrencyLimit(concurrency), jobMs = 100, ...options }: LineOptions = {}) {
  return new LoginQueue({ hashes, maxWaitMs: 1000, clientShare: 1, accountShare: 1, initialJobMs: () => jobMs, ...options });
}

/** A login of this client, for an account of its own unless named. */
function admit(queue: LoginQueue, client: string, account = `account of ${client}`): Admission {
  return queue.admit(client, account);
}

function ticketOf(admission: Admission): Ticket {
  if (!('ticket' in admission)) throw new Error(`refused, busy for ${admission.busyForMs} ms`);
  void admission.ticket.turn.then((outcome) => settled.set(admission.ticket, outcome));
  return admission.ticket;
}

const settled = new WeakMap<Ticket, string>();
/** How a ticket's wait ended, once its promise has settled (after a tick). */
function ticketState(ticket: Ticket): string | undefined {
  return settled.get(ticket);
}

/** The order in which the tickets get their turn, releasing each as it starts. */
async function turnOrder(tickets: Array<[string, Ticket]>): Promise<string[]> {
  const order: string[] = [];
  await Promise.all(
    tickets.map(async ([name, ticket]) => {
      if ((await ticket.turn) === 'now') {
        order.push(name);
        // The next turn comes only after this one ends.
        setImmediate(ticket.release);
      }
    }),
  );
  return order;
}

it('holds as many logins as the concurrent checks answer within maxWaitMs, then refuses with the time it is busy for', () => {
  const queue = line({ concurrency: 2, maxWaitMs: 1000 });
  // 2 * 1000 / 100 = 20 answered within a second: 2 running, 18 waiting.
  for (let i = 0; i < 20; i++) ticketOf(admit(queue, `client-${i}`));
  const refused = admit(queue, 'client-20');
  expect(refused).toEqual({ busyForMs: 900 });
});

it('always admits a login when a check is free, even when one check takes longer than maxWaitMs', async () => {
  const queue = line({ maxWaitMs: 100, jobMs: 5000 });
  const first = ticketOf(admit(queue, 'a'));
  expect(await first.turn).toBe('now');
  expect('busyForMs' in admit(queue, 'b')).toBe(true);
  first.release();
  expect(await ticketOf(admit(queue, 'b')).turn).toBe('now');
});

it('gives one client at most its share of the places, and the others theirs', () => {
  const queue = line({ concurrency: 1, maxWaitMs: 1000, clientShare: 0.5 });
  // 1 running + 9 waiting = 10 places; half of them is 5.
  for (let i = 0; i < 5; i++) ticketOf(admit(queue, 'flooder'));
  expect('busyForMs' in admit(queue, 'flooder')).toBe(true);
  for (let i = 0; i < 5; i++) ticketOf(admit(queue, 'other'));
});

it('gives the next turn to the login whose client holds the fewest places, so a flood delays another client by no more than the check under way', async () => {
  const queue = line({ maxWaitMs: 10_000 });
  const tickets: Array<[string, Ticket]> = [];
  for (let i = 0; i < 4; i++) tickets.push([`flood-${i}`, ticketOf(admit(queue, 'flooder'))]);
  tickets.push(['other', ticketOf(admit(queue, 'other'))]);
  expect(await turnOrder(tickets)).toEqual(['flood-0', 'other', 'flood-1', 'flood-2', 'flood-3']);
});

it('counts the places of the account too: logins of one account from many clients go after another account\'s', async () => {
  const queue = line({ maxWaitMs: 10_000 });
  const tickets: Array<[string, Ticket]> = [];
  for (let i = 0; i < 4; i++) tickets.push([`user1-${i}`, ticketOf(admit(queue, `client-${i}`, 'user1'))]);
  tickets.push(['user2', ticketOf(admit(queue, 'client-9', 'user2'))]);
  expect(await turnOrder(tickets)).toEqual(['user1-0', 'user2', 'user1-1', 'user1-2', 'user1-3']);
});

it('takes turns round the clients that hold as many places', async () => {
  const queue = line({ maxWaitMs: 10_000 });
  const tickets: Array<[string, Ticket]> = [['first', ticketOf(admit(queue, 'first'))]];
  for (const client of ['a', 'b', 'c']) tickets.push([client, ticketOf(admit(queue, client))]);
  expect(await turnOrder(tickets)).toEqual(['first', 'a', 'b', 'c']);
});

it('drops a waiting login that is released before its turn: it never starts, and its place is free again', async () => {
  const queue = line({ maxWaitMs: 200 });
  const running = ticketOf(admit(queue, 'a'));
  const waiting = ticketOf(admit(queue, 'b'));
  expect('busyForMs' in admit(queue, 'c')).toBe(true);
  waiting.release();
  expect(await waiting.turn).toBe('cancelled');
  const next = ticketOf(admit(queue, 'c'));
  running.release();
  running.release(); // a second release changes nothing
  expect(await next.turn).toBe('now');
});

it('times the checks it runs and sizes the line by them', async () => {
  const queue = line({ maxWaitMs: 1000 });
  expect(queue.jobMs()).toBe(100);
  const ticket = ticketOf(admit(queue, 'a'));
  await ticket.turn;
  await new Promise((resolve) => setTimeout(resolve, 300));
  ticket.release();
  expect(queue.jobMs()).toBeGreaterThanOrEqual(290);
  // About 1000 / 300 = 3 answered within a second now: one running, two waiting.
  ticketOf(admit(queue, 'running'));
  for (let i = 0; i < 2; i++) ticketOf(admit(queue, `waiting-${i}`));
  expect('busyForMs' in admit(queue, 'one-too-many')).toBe(true);
});

it('ends unchecked a login that can no longer be answered in time, when checks took longer than estimated', async () => {
  const queue = line({ maxWaitMs: 1000 });
  const slow = ticketOf(admit(queue, 'a'));
  const waiting = ticketOf(admit(queue, 'b'));
  await slow.turn;
  // Estimated at 100 ms, the check takes 700: b would be answered after 700 + 700 ms.
  await new Promise((resolve) => setTimeout(resolve, 700));
  slow.release();
  expect(await waiting.turn).toBe('late');
  // Its place is free again, and a login that finds a check free is never late.
  expect(await ticketOf(admit(queue, 'b')).turn).toBe('now');
});

it('gives one account at most its share of the places, whatever the clients its logins come from', () => {
  const queue = line({ maxWaitMs: 1000, accountShare: 0.5 });
  // 10 places; half of them is 5, for the logins naming user1 from five clients.
  for (let i = 0; i < 5; i++) ticketOf(admit(queue, `client-${i}`, 'user1'));
  expect('busyForMs' in admit(queue, 'client-5', 'user1')).toBe(true);
  for (let i = 5; i < 10; i++) ticketOf(admit(queue, `client-${i}`, `user-${i}`));
});

it('in a full line, sheds the newest waiting login of whoever holds the most, for a client that holds less, and never for one that would hold as much', async () => {
  const queue = line({ maxWaitMs: 1000, clientShare: 0.5 });
  // 10 places: two clients hold 5 each, the line is full.
  const a = Array.from({ length: 5 }, () => ticketOf(admit(queue, 'a')));
  const b = Array.from({ length: 5 }, () => ticketOf(admit(queue, 'b')));
  const c = ticketOf(admit(queue, 'c'));
  // Of equal holders, the newest waiting login goes: b's last.
  expect(await (b[4] as Ticket).turn).toBe('shed');
  ticketOf(admit(queue, 'd'));
  expect(await (a[4] as Ticket).turn).toBe('shed');
  // a and b hold 4 each now, c and d 1: each newcomer takes one of theirs, until all hold one place.
  for (const client of ['e', 'f', 'g', 'h', 'i', 'j']) ticketOf(admit(queue, client));
  await new Promise((resolve) => setImmediate(resolve));
  expect([...a, ...b].filter((ticket) => ticketState(ticket) === 'shed')).toHaveLength(8);
  // Ten clients, one place each (a's is running): an eleventh would hold as much as they do, so it is refused.
  expect('busyForMs' in admit(queue, 'k')).toBe(true);
  expect('busyForMs' in admit(queue, 'a')).toBe(true);
  c.release();
});

it('takes its turns from the hash bound: a check elsewhere in the bound holds a turn back, and its end starts the next login', async () => {
  const hashes = new ConcurrencyLimit(1);
  const queue = line({ hashes });
  let endCheckElsewhere: () => void = () => undefined;
  const elsewhere = hashes.run(() => new Promise<void>((resolve) => (endCheckElsewhere = resolve)));
  const waiting = ticketOf(admit(queue, 'a'));
  const started = jest.fn();
  void waiting.turn.then(started);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(started).not.toHaveBeenCalled();
  endCheckElsewhere();
  await elsewhere;
  expect(await waiting.turn).toBe('now');
  // The turn is the bound's place: a check outside the line waits for it.
  let ranOutside = false;
  const outside = hashes.run(async () => {
    ranOutside = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(ranOutside).toBe(false);
  waiting.release();
  await outside;
  expect(ranOutside).toBe(true);
});

it('keeps the turn of a login whose client goes after its turn has come: cancel ends a wait, never a turn', async () => {
  const queue = line();
  const running = ticketOf(admit(queue, 'a'));
  const waiting = ticketOf(admit(queue, 'b'));
  expect(await running.turn).toBe('now');
  running.cancel();
  const next = jest.fn();
  void waiting.turn.then(next);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(next).not.toHaveBeenCalled();
  running.release();
  expect(await waiting.turn).toBe('now');
});
