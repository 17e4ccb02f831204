import express from 'express';

/**
 * What Node.js, Express, their usual middleware and Passport put on every request as its own
 * properties; with what every request inherits (`name in express.request`), the names
 * `userProperty` must not take.
 */
const REQUEST_OWN_PROPERTIES = new Set([
  ...['url', 'method', 'headers', 'rawHeaders', 'trailers', 'rawTrailers', 'httpVersion', 'httpVersionMajor', 'httpVersionMinor', 'socket', 'connection', 'client'],
  ...['complete', 'aborted', 'upgrade', 'statusCode', 'statusMessage', 'res', 'next', 'params', 'query', 'body', 'baseUrl', 'originalUrl', 'route'],
  ...['session', 'sessionID', 'sessionStore', 'cookies', 'signedCookies', 'secret', 'file', 'files', 'authInfo', 'workspace', 'workspaces'],
  ...['login', 'logIn', 'logout', 'logOut', 'isAuthenticated', 'isUnauthenticated'],
]);

/** What is wrong with a `userProperty` name, after the option's name (`described`: the value as messages show it); undefined when it may be used. */
export function describeUserPropertyProblem(value: unknown, described: string): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z$][\w$]*$/.test(value)) {
    return `must be the name of a request property for the plugin's user, such as "user" or "apiUser", or false for auth.userOf(req) only; not ${described}.`;
  }
  if (value in express.request || REQUEST_OWN_PROPERTIES.has(value)) {
    return `"${value}" is a property that Node.js, Express or Passport already gives requests: choose another name, such as "apiUser".`;
  }
  return undefined;
}
