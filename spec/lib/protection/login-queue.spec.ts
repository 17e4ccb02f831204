import { LoginQueue, type Admission, type Ticket } from '../../../lib/protection/login-queue';

/** A line where a check takes 100 ms: `maxWaitMs / 100` logins per concurrent check are answered within maxWaitMs. */
function line(options: { concurrency?: number; maxWaitMs?: number; clientShare?: number } = {}) {
  return new LoginQueue({ concurrency: 1, maxWaitMs: 1000, clientShare: 1, initialJobMs: () => 100, ...options });
}

function ticketOf(admission: Admission): Ticket {
  if (!('ticket' in admission)) throw new Error(`refused, busy for ${admission.busyForMs} ms`);
  return admission.ticket;
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
  for (let i = 0; i < 20; i++) ticketOf(queue.admit(`client-${i}`));
  const refused = queue.admit('client-20');
  expect(refused).toEqual({ busyForMs: 900 });
});

it('always admits a login when a check is free, even when one check takes longer than maxWaitMs', async () => {
  const queue = new LoginQueue({ concurrency: 1, maxWaitMs: 100, clientShare: 1, initialJobMs: () => 5000 });
  const first = ticketOf(queue.admit('a'));
  expect(await first.turn).toBe('now');
  expect('busyForMs' in queue.admit('b')).toBe(true);
  first.release();
  expect(await ticketOf(queue.admit('b')).turn).toBe('now');
});

it('gives one client at most its share of the places, and the others theirs', () => {
  const queue = line({ concurrency: 1, maxWaitMs: 1000, clientShare: 0.5 });
  // 1 running + 9 waiting = 10 places; half of them is 5.
  for (let i = 0; i < 5; i++) ticketOf(queue.admit('flooder'));
  expect('busyForMs' in queue.admit('flooder')).toBe(true);
  for (let i = 0; i < 5; i++) ticketOf(queue.admit('other'));
});

it('takes turns round the clients, so a flood delays another client by one turn at most', async () => {
  const queue = line({ maxWaitMs: 10_000 });
  const tickets: Array<[string, Ticket]> = [];
  for (let i = 0; i < 4; i++) tickets.push([`flood-${i}`, ticketOf(queue.admit('flooder'))]);
  tickets.push(['other', ticketOf(queue.admit('other'))]);
  expect(await turnOrder(tickets)).toEqual(['flood-0', 'flood-1', 'other', 'flood-2', 'flood-3']);
});

it('drops a waiting login that is released before its turn: it never starts, and its place is free again', async () => {
  const queue = line({ maxWaitMs: 200 });
  const running = ticketOf(queue.admit('a'));
  const waiting = ticketOf(queue.admit('b'));
  expect('busyForMs' in queue.admit('c')).toBe(true);
  waiting.release();
  expect(await waiting.turn).toBe('cancelled');
  const next = ticketOf(queue.admit('c'));
  running.release();
  running.release(); // a second release changes nothing
  expect(await next.turn).toBe('now');
});

it('times the checks it runs and sizes the line by them', async () => {
  const queue = line({ maxWaitMs: 1000 });
  expect(queue.jobMs()).toBe(100);
  const ticket = ticketOf(queue.admit('a'));
  await ticket.turn;
  await new Promise((resolve) => setTimeout(resolve, 300));
  ticket.release();
  expect(queue.jobMs()).toBeGreaterThanOrEqual(290);
  // About 1000 / 300 = 3 answered within a second now: one running, two waiting.
  ticketOf(queue.admit('running'));
  for (let i = 0; i < 2; i++) ticketOf(queue.admit(`waiting-${i}`));
  expect('busyForMs' in queue.admit('one-too-many')).toBe(true);
});

it('ends unchecked a login that can no longer be answered in time, when checks took longer than estimated', async () => {
  const queue = line({ maxWaitMs: 1000 });
  const slow = ticketOf(queue.admit('a'));
  const waiting = ticketOf(queue.admit('b'));
  await slow.turn;
  // Estimated at 100 ms, the check takes 700: b would be answered after 700 + 700 ms.
  await new Promise((resolve) => setTimeout(resolve, 700));
  slow.release();
  expect(await waiting.turn).toBe('late');
  // Its place is free again, and a login that finds a check free is never late.
  expect(await ticketOf(queue.admit('b')).turn).toBe('now');
});
