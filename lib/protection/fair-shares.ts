/**
 * The places of the login line held per client and per account (the username a login names,
 * known or not). No one client and no one account may hold more than its share; and when the
 * line is full, a newcomer that holds less than another takes the place of that other's newest
 * waiting login (max-min fairness), so a line full of a few floods still has room for everyone
 * else, and a line is full for a newcomer only when the others hold no more than it would.
 */

/** Who a place in line is for. */
export interface Holder {
  client: string;
  account: string;
}

export class FairShares {
  private readonly byClient = new Map<string, number>();
  private readonly byAccount = new Map<string, number>();

  constructor(private readonly shares: { client: number; account: number }) {}

  /** The places one client and one account may hold, of `places` in all (at least one each). */
  private caps(places: number): { client: number; account: number } {
    return { client: Math.max(1, Math.floor(this.shares.client * places)), account: Math.max(1, Math.floor(this.shares.account * places)) };
  }

  /** Whether one more place would take this login's client or account beyond its share of `places`. */
  beyondShare(holder: Holder, places: number): boolean {
    const caps = this.caps(places);
    return (this.byClient.get(holder.client) ?? 0) >= caps.client || (this.byAccount.get(holder.account) ?? 0) >= caps.account;
  }

  /** How crowded a login's holders are: the places of its client or of its account, whichever holds more. */
  weight(holder: Holder): number {
    return Math.max(this.byClient.get(holder.client) ?? 0, this.byAccount.get(holder.account) ?? 0);
  }

  /**
   * Of the waiting logins, the one a newcomer may take the place of: the newest of those whose
   * client or account holds the most, if that is more than the newcomer's would hold with the
   * place (otherwise taking it would only move the unfairness).
   */
  displaceable<T extends Holder & { enqueuedAt: number }>(newcomer: Holder, waiting: Iterable<T>): T | undefined {
    const newcomerWeight = this.weight(newcomer) + 1;
    let chosen: T | undefined;
    let chosenWeight = 0;
    for (const login of waiting) {
      const weight = this.weight(login);
      if (weight <= newcomerWeight) continue;
      if (weight > chosenWeight || (weight === chosenWeight && chosen !== undefined && login.enqueuedAt > chosen.enqueuedAt)) {
        chosen = login;
        chosenWeight = weight;
      }
    }
    return chosen;
  }

  hold(holder: Holder): void {
    this.byClient.set(holder.client, (this.byClient.get(holder.client) ?? 0) + 1);
    this.byAccount.set(holder.account, (this.byAccount.get(holder.account) ?? 0) + 1);
  }

  unhold(holder: Holder): void {
    decrement(this.byClient, holder.client);
    decrement(this.byAccount, holder.account);
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
