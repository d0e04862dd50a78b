// The management API from the browser: basic auth from sessionStorage, JSON in and out, and the
// API's `{ error, reason }` turned into an ApiError whose message is the reason.

const KEY = 'warren.auth';

export class ApiError extends Error {
  constructor(status, reason) {
    super(reason);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** base64 of UTF-8 text (btoa alone only takes Latin-1). */
function b64(text) {
  let bin = '';
  for (const byte of new TextEncoder().encode(text)) bin += String.fromCharCode(byte);
  return btoa(bin);
}

export const session = {
  get auth() {
    return sessionStorage.getItem(KEY);
  },
  get user() {
    return sessionStorage.getItem(`${KEY}.user`) ?? '';
  },
  save(user, password) {
    sessionStorage.setItem(KEY, b64(`${user}:${password}`));
    sessionStorage.setItem(`${KEY}.user`, user);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(`${KEY}.user`);
  },
};

/**
 * Called when the API refuses a logged-in session's credentials (the app shows the login form again):
 * a 401 asking for credentials (WWW-Authenticate). Other 401s refuse an operation to a user who is
 * logged in (no permission in the vhost, or for that queue or exchange) and are shown as errors.
 */
let onUnauthorized = (_err) => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * One API call. `auth` overrides the stored credentials (the login check). credentials: 'omit' keeps
 * the browser from popping its own password dialog on a 401; our Authorization header is still sent.
 */
export async function api(method, path, body, opts = {}) {
  const auth = opts.auth ?? session.auth;
  const init = { method, credentials: 'omit', headers: { Accept: 'application/json', ...opts.headers } };
  if (auth) init.headers.Authorization = `Basic ${auth}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api${path}`, init);
  } catch (e) {
    throw new ApiError(0, `cannot reach the server: ${e.message}`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const reason = data && typeof data.reason === 'string' ? data.reason : text || res.statusText;
    const err = new ApiError(res.status, reason || `HTTP ${res.status}`);
    if (res.status === 401 && res.headers.has('WWW-Authenticate') && opts.auth === undefined) onUnauthorized(err);
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const put = (path, body) => api('PUT', path, body ?? {});
export const post = (path, body) => api('POST', path, body ?? {});
export const del = (path, headers) => api('DELETE', path, undefined, { headers });

/** Checks credentials without storing them: resolves to /api/whoami or throws the API's reason. */
export async function login(user, password) {
  const who = await api('GET', '/whoami', undefined, { auth: b64(`${user}:${password}`) });
  session.save(user, password);
  return who;
}

/** A path from literal parts and values, each value percent-encoded ('/' vhost becomes %2F). */
export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}
