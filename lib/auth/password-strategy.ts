import type { Request } from 'express';
import { Strategy as LocalStrategy } from 'passport-local';
import { MAX_CREDENTIAL_LENGTH } from '../limits';
import { type Refusal, refusal } from '../refusals';
import type { LoginFailureReason, UserRecord } from '../types';
import type { UsersIndex } from '../users/users-index';
import { readLoginFields } from './login-fields';
import { dummyHash, type PasswordVerifier } from './passwords';
import { asPassportUser, USER_DISABLED } from './verdict';

export const PASSWORD_STRATEGY_NAME = 'workspace-password';

/** Why a password login failed (Passport's `info`): the refusal, and for operators the reason and the user it named, if any. */
export interface LoginRefusal extends Refusal {
  reason: LoginFailureReason;
  /** Given only when it names a user of the file, so a password typed into the username field never reaches a log. */
  username?: string;
}

/** A login's verdict: the user's record, or why not with the status Passport would answer. */
export type LoginVerdict = { record: UserRecord } | { refused: LoginRefusal; status: 400 | 401 | 403 };

/** Judges a login's fields as sent in the body: only a login with both fields checkable is hashed. */
export type LoginJudge = (username: unknown, password: unknown) => Promise<LoginVerdict>;

/** The user a login's username names, if it names one of the file: for the reason of a refused login. */
function namedUser(users: UsersIndex, username: unknown): { username?: string } {
  const record = typeof username === 'string' && username.length <= MAX_CREDENTIAL_LENGTH ? users.findByUsername(username) : undefined;
  return record ? { username: record.user.username } : {};
}

/**
 * The one judgement of a password login, for the strategy and the login route alike, with the
 * password check it is given: the route's starts at once in the turn its line gave, the
 * strategy's waits for a place of the hash bound. A login without both fields, or with a field
 * that is not a string, is refused (400) with its reason, so the verdict of every login carries why.
 */
export function createLoginJudge(getUsers: () => UsersIndex, verifyPasswordOf: PasswordVerifier): LoginJudge {
  return async (sentUsername, sentPassword) => {
    const users = getUsers();
    // Not a string is invalid, a list or an object too (passport-local would read those as missing).
    const fields = readLoginFields(sentUsername, sentPassword);
    if (typeof fields === 'string') {
      const code = fields === 'missing' ? 'missing_login_fields' : 'invalid_login_fields';
      return { refused: { ...refusal(code), reason: code, ...namedUser(users, sentUsername) }, status: 400 };
    }
    const record = users.findByUsername(fields.username);
    // Unknown users are checked against a dummy hash of the usual cost: same answer, same time.
    const hash = record?.hashedPassword ?? (await dummyHash(users.typicalCost));
    const matches = await verifyPasswordOf(fields.password, hash);
    if (!record) return { refused: { ...refusal('invalid_credentials'), reason: 'unknown_user' }, status: 401 };
    const named = { username: record.user.username };
    if (!matches) return { refused: { ...refusal('invalid_credentials'), reason: 'wrong_password', ...named }, status: 401 };
    if (record.user.disabled) return { refused: { ...USER_DISABLED, reason: 'user_disabled', ...named }, status: 403 };
    return { record };
  };
}

/**
 * passport-local, for apps that mount it on a route of their own, with two changes: it also
 * reads credentials from the query string, and URLs end up in logs, so only the body counts;
 * and its verdict is the login route's, reason included.
 */
class BodyOnlyLocalStrategy extends LocalStrategy {
  constructor(private readonly judge: LoginJudge) {
    super({ session: false }, () => undefined);
  }

  override authenticate(req: Request): void {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    this.judge(username, password).then(
      (verdict) => ('record' in verdict ? this.success(asPassportUser(verdict.record.user)) : this.fail(verdict.refused, verdict.status)),
      (error: Error) => this.error(error),
    );
  }
}

export function createPasswordStrategy(judge: LoginJudge): LocalStrategy {
  const strategy = new BodyOnlyLocalStrategy(judge);
  strategy.name = PASSWORD_STRATEGY_NAME;
  return strategy;
}
