import type { Request } from 'express';
import { Strategy as LocalStrategy, type VerifyFunction } from 'passport-local';
import { MAX_CREDENTIAL_LENGTH } from '../limits';
import { type Refusal, refusal } from '../refusals';
import type { LoginFailureReason } from '../types';
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

/** The user a login's username names, if it names one of the file: for the reason of a refused login. */
function namedUser(users: UsersIndex, username: unknown): { username?: string } {
  const record = typeof username === 'string' && username.length <= MAX_CREDENTIAL_LENGTH ? users.findByUsername(username) : undefined;
  return record ? { username: record.user.username } : {};
}

/**
 * passport-local, with two changes: it also reads credentials from the query string, and URLs end
 * up in logs, so only the body counts; and a login without both fields, or with a field that is
 * not a string, is refused here, with its reason (400), so the verdict of every login carries why.
 */
class BodyOnlyLocalStrategy extends LocalStrategy {
  constructor(
    private readonly getUsers: () => UsersIndex,
    verify: VerifyFunction,
  ) {
    super({ session: false }, verify);
  }

  override authenticate(req: Request, options?: object): void {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    // passport-local would read a list or an object (`{"username": ["a"]}`) as a missing field: it is a field of the wrong type.
    const fields = readLoginFields(username, password);
    if (typeof fields === 'string') {
      const code = fields === 'missing' ? 'missing_login_fields' : 'invalid_login_fields';
      this.fail({ ...refusal(code), reason: code, ...namedUser(this.getUsers(), username) } satisfies LoginRefusal, 400);
      return;
    }
    super.authenticate(Object.create(req, { query: { value: {} } }) as Request, options);
  }
}

export function createPasswordStrategy(getUsers: () => UsersIndex, verifyPasswordOf: PasswordVerifier): LocalStrategy {
  const verify = async (username: unknown, password: unknown): Promise<[Express.User | false, LoginRefusal?]> => {
    const users = getUsers();
    const fields = readLoginFields(username, password);
    if (typeof fields === 'string') return [false, { ...refusal('invalid_login_fields'), reason: 'invalid_login_fields', ...namedUser(users, username) }];
    const record = users.findByUsername(fields.username);
    // Unknown users are checked against a dummy hash of the usual cost: same answer, same time.
    const hash = record?.hashedPassword ?? (await dummyHash(users.typicalCost));
    const matches = await verifyPasswordOf(fields.password, hash);
    if (!record) return [false, { ...refusal('invalid_credentials'), reason: 'unknown_user' }];
    const named = { username: record.user.username };
    if (!matches) return [false, { ...refusal('invalid_credentials'), reason: 'wrong_password', ...named }];
    if (record.user.disabled) return [false, { ...USER_DISABLED, reason: 'user_disabled', ...named }];
    return [asPassportUser(record.user)];
  };
  const strategy = new BodyOnlyLocalStrategy(getUsers, (username, password, done) => {
    verify(username, password).then(
      ([user, refused]) => done(null, user, refused),
      (error: Error) => done(error),
    );
  });
  strategy.name = PASSWORD_STRATEGY_NAME;
  return strategy;
}
