// What both pages share: the session in sessionStorage and calls to the API.
// The access token lives in sessionStorage (gone when the tab closes) and travels only in
// the Authorization header: never in a URL, where it would end up in logs and history.

const TOKEN_KEY = 'datasets.access_token';
const WORKSPACE_KEY = 'datasets.workspace';
const NOTICE_KEY = 'datasets.notice';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  start(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  workspace: () => sessionStorage.getItem(WORKSPACE_KEY),
  selectWorkspace(name) {
    sessionStorage.setItem(WORKSPACE_KEY, name);
  },
  /** Ends the session; the notice is shown once by the login page. */
  end(notice) {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(WORKSPACE_KEY);
    if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  },
  takeNotice() {
    const notice = sessionStorage.getItem(NOTICE_KEY);
    sessionStorage.removeItem(NOTICE_KEY);
    return notice;
  },
};

/** An error answered by the API: `code` and `message` come from its JSON body. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function toJson(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.ok) return body;
  const code = body && typeof body.code === 'string' ? body.code : 'http_' + response.status;
  const message = body && typeof body.message === 'string' ? body.message : 'The server answered ' + response.status + '.';
  throw new ApiError(response.status, code, message);
}

async function send(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network_error', 'The server cannot be reached. Check that it is running, then try again.');
  }
  return toJson(response);
}

/** Logs in with a JSON body (never the query string) and returns the access token. */
export async function login(username, password) {
  const body = await send('/api/security/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return body.access_token;
}

/** GET with the session's token; `workspace` goes in X-Argilla-Workspace. */
export function get(path, workspace) {
  const headers = { Accept: 'application/json', Authorization: 'Bearer ' + session.token() };
  if (workspace) headers['X-Argilla-Workspace'] = workspace;
  return send(path, { headers });
}

/**
 * Logs the session's token out on the server, so it is refused from then on even if a copy
 * of it survives somewhere. Resolves to false when the server could not confirm it (unreachable,
 * or the token had already ended); the caller forgets the token either way.
 */
export async function logout() {
  const token = session.token();
  if (!token) return false;
  try {
    await send('/api/security/logout', { method: 'POST', headers: { Accept: 'application/json', Authorization: 'Bearer ' + token } });
    return true;
  } catch {
    return false;
  }
}
