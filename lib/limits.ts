/** Sizes the plugin refuses beyond; messages are built from these, so they cannot disagree. */

/** A username, password or API key longer than this is refused before any lookup or hashing. */
export const MAX_CREDENTIAL_LENGTH = 1024;

/** The login route's body limit: a login needs only a username and a password. */
export const LOGIN_BODY_LIMIT = '16kb';
