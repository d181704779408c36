// api.js: the only code that talks to tallyd. Every call carries the
// account token; every failure becomes an ApiError with the API's stable
// code and message, which the views show as they are.

const TOKEN_KEY = 'tally.token';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || null;
  }
}

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: token => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

// Listeners told when the token stops working (401), so the app can sign out.
const unauthorizedListeners = [];
export function onUnauthorized(listener) {
  unauthorizedListeners.push(listener);
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: fall through to a generic message with the status
  }
  const e = body && body.error;
  if (e && e.code) return new ApiError(response.status, e.code, e.message || e.code, e.details);
  return new ApiError(response.status, 'http_error', `tallyd answered ${response.status} ${response.statusText}`);
}

// request('POST', '/v1/x', {body}, {idempotencyKey}) -> parsed JSON.
export async function request(method, path, body, options = {}) {
  const headers = {Accept: 'application/json'};
  const token = options.token || session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // A retried or double-clicked POST with the same key is answered once.
  if (options.action) headers['Idempotency-Key'] = options.action.key;
  let response;
  try {
    response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (cause) {
    throw new ApiError(0, 'network_error', `tallyd cannot be reached (${cause.message}); check your connection and try again`);
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (options.action) options.action.answered(error);
    if (response.status === 401 && !options.token) unauthorizedListeners.forEach(fn => fn(error));
    throw error;
  }
  return response.status === 204 ? null : response.json();
}

export const get = (path, options) => request('GET', path, undefined, options);

// GET path as a file (a PDF, say): the body as a Blob, with the account's
// token, so a download needs no token in its URL.
export async function getFile(path, accept) {
  const headers = {Accept: accept};
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {headers});
  } catch (cause) {
    throw new ApiError(0, 'network_error', `tallyd cannot be reached (${cause.message}); check your connection and try again`);
  }
  if (!response.ok) throw await errorFrom(response);
  return response.blob();
}

function newIdempotencyKey() {
  return `console-${crypto.randomUUID()}`;
}

// The Idempotency-Key of one thing the user does (pay, confirm, delete),
// passed as request(..., {action}). It is kept while the request may have
// been applied (no answer, or a 5xx), so a retry or a second click is
// answered once. tallyd also keeps its refusals (4xx) under the key, so
// after one the next attempt, perhaps with another method or after a
// top-up, needs a new key.
export function userAction() {
  const action = {key: newIdempotencyKey()};
  action.answered = error => {
    if (error.status >= 400 && error.status < 500) action.key = newIdempotencyKey();
  };
  return action;
}

// Query string from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Every page of a list, newest first, until `keep` says stop or pages run
// out: {items, complete}; complete is false when maxPages of 500 were not
// enough.
export async function listAll(path, params = {}, keep = () => true, maxPages = 20) {
  const items = [];
  let after = null;
  for (let page = 0; page < maxPages; page++) {
    const result = await get(path + query({...params, limit: 500, after}));
    for (const item of result.data) {
      if (!keep(item)) return {items, complete: true};
      items.push(item);
    }
    if (!result.next) return {items, complete: true};
    after = result.next;
  }
  return {items, complete: false};
}
