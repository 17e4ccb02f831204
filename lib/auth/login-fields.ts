import { MAX_CREDENTIAL_LENGTH } from '../limits';

/** What a login body gives: both fields as strings passport-local checks, none (400 from passport-local), or unusable values. */
export type LoginFields = { username: string; password: string } | 'missing' | 'invalid';

/**
 * The one check of a login's fields, for the login line (which lets only checkable logins in)
 * and the password strategy (which refuses the rest): strings, not empty, at most
 * MAX_CREDENTIAL_LENGTH characters each.
 */
export function readLoginFields(username: unknown, password: unknown): LoginFields {
  if (username === undefined || username === null || username === '' || password === undefined || password === null || password === '') return 'missing';
  if (typeof username !== 'string' || typeof password !== 'string' || username.length > MAX_CREDENTIAL_LENGTH || password.length > MAX_CREDENTIAL_LENGTH) {
    return 'invalid';
  }
  return { username, password };
}
