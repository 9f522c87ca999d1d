// The JSON API client shared by the mall and the admin console: bearer token, problem+json, idempotency keys.

const BASE = '/api/v1';

/** Human messages for the API's stable problem codes (中文 / English). */
export const PROBLEM_TEXT = {
  sold_out: '已售罄 Sold out',
  insufficient_points: '积分不足 Not enough points',
  limit_exceeded: '超出限购 Purchase limit reached',
  not_on_sale: '未开售 Not on sale yet',
  tier_required: '等级不足 Higher membership tier required',
  coupon_not_usable: '该优惠券不可用于此订单 This coupon cannot be used for this order',
  rate_limited: '请求过于频繁，请稍后再试 Too many requests, try again shortly',
  locked: '密码错误次数过多，请稍后再试 Too many wrong passwords: try again later',
  wrong_password: '当前密码不正确 The current password is wrong',
  invalid_code: '验证码错误或已失效 The code is wrong or no longer valid',
  validation_failed: '输入有误 Please check your input',
  not_found: '未找到 Not found',
  forbidden: '无权限 Not allowed',
  unauthorized: '请先登录 Please sign in',
  conflict: '状态已变化，请刷新 The state changed, please refresh',
  unavailable: '服务繁忙，请重试 Service busy, please retry',
  already_signed_in: '今日已签到 Already signed in today',
  payment_expired: '支付已超时 Payment window expired',
  network: '网络错误 Network error',
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || (status === 401 ? 'unauthorized' : `http_${status}`);
  }

  /** A message for people: the known text for the code, plus the server's detail when it adds something. */
  get friendly() {
    const known = PROBLEM_TEXT[this.code];
    const errors = this.problem.errors ? Object.values(this.problem.errors).flat().join('; ') : '';
    if (known) return errors ? `${known}: ${errors}` : known;
    return this.problem.detail || this.problem.title || this.message;
  }
}

/** A token slot: members keep theirs across visits (localStorage), operators per tab (sessionStorage). */
export function tokenStore(key, storage) {
  return {
    get: () => { try { return JSON.parse(storage.getItem(key) || 'null'); } catch { return null; } },
    set: (value) => storage.setItem(key, JSON.stringify(value)),
    clear: () => storage.removeItem(key),
  };
}

/** Refresh this long before the access token expires, so a request rarely meets an expired one. */
const REFRESH_MARGIN_MS = 30_000;

/**
 * Creates a client. onUnauthorized runs on a 401 that a refresh could not cure (the apps send the user to their
 * login page). Access tokens are short-lived: the client trades its refresh token for a new pair shortly before
 * the access token expires, or on a 401, and retries the request once. Each refresh token works once (the server
 * ends the session if one comes back), so tabs sharing a store refresh one at a time (Web Locks) and a tab that
 * finds the token already replaced uses the new one.
 */
export function createClient(store, onUnauthorized) {
  let refreshing = null;

  async function exchange(used) {
    const current = store.get();
    if (!current?.refreshToken) return false;
    if (current.refreshToken !== used) return true; // another tab (or call) refreshed already
    let response;
    try {
      response = await fetch(new URL(BASE + '/auth/refresh', location.origin), {
        method: 'POST',
        headers: { Accept: 'application/json, application/problem+json', 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: used }),
      });
    } catch {
      return false;
    }
    if (!response.ok) return false;
    const token = await response.json();
    store.set({ ...current, ...token, at: Date.now() });
    return true;
  }

  /** Trades the refresh token the caller saw for a new pair; true when the store now holds a newer one. */
  function refresh(used) {
    if (!refreshing) {
      const run = () => exchange(used);
      refreshing = (globalThis.navigator?.locks ? navigator.locks.request('pointsmall-token-refresh', run) : run())
        .finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  function expiresSoon(session) {
    return !!session?.refreshToken && !!session.at && !!session.expiresIn
      && Date.now() > session.at + session.expiresIn * 1000 - REFRESH_MARGIN_MS;
  }

  async function request(method, path, { body, headers = {}, auth = true, query, redirectOn401 = true, retried = false, raw = false } = {}) {
    const url = new URL(BASE + path, location.origin);
    if (query) {
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
      }
    }
    const h = { Accept: 'application/json, application/problem+json', ...headers };
    let session = store.get();
    if (auth && expiresSoon(session)) {
      await refresh(session.refreshToken);
      session = store.get();
    }
    if (auth && session?.accessToken) h.Authorization = `Bearer ${session.accessToken}`;
    // A Blob (an uploaded file) goes as it is, with its own type; anything else as JSON.
    const file = typeof Blob !== 'undefined' && body instanceof Blob;
    if (body !== undefined) h['Content-Type'] = file ? (body.type || 'application/octet-stream') : 'application/json';
    let response;
    try {
      response = await fetch(url, { method, headers: h, body: body === undefined ? undefined : file ? body : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, { code: 'network', detail: 'The server could not be reached.' });
    }
    // A 401 means the request was not carried out, so it is safe to send again once with a fresh token.
    if (response.status === 401 && auth && !retried && session?.refreshToken && await refresh(session.refreshToken)) {
      return request(method, path, { body, headers, auth, query, redirectOn401, retried: true, raw });
    }
    if (raw && response.ok) return response.blob();
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch { data = { detail: text }; }
    }
    if (!response.ok) {
      if (response.status === 401 && auth) {
        store.clear();
        if (redirectOn401) onUnauthorized?.();
      }
      throw new ApiError(response.status, data);
    }
    return data;
  }

  return {
    request,
    get: (path, query) => request('GET', path, { query }),
    post: (path, body, headers) => request('POST', path, { body: body ?? {}, headers }),
    put: (path, body) => request('PUT', path, { body }),
    del: (path) => request('DELETE', path),
    /** A file the API answers with (a CSV export): a Blob. */
    download: (path, query) => request('GET', path, { query, raw: true }),
    /** Sends a file (a Blob) as the request body. */
    upload: (path, file) => request('POST', path, { body: file }),
    /** Signs in with the password, or (members) with a one-time code instead: `login(login, null, code)`. */
    async login(login, password, code) {
      const token = await request('POST', '/auth/login', { body: code ? { login, code } : { login, password }, auth: false });
      store.set({ ...token, login, at: Date.now() });
      return token;
    },
    register: (body) => request('POST', '/auth/register', { body, auth: false }),
    /** Forgets the tokens here at once, then ends the session on the server (its tokens stop working everywhere). */
    async logout() {
      const session = store.get();
      store.clear();
      if (!session?.accessToken) return;
      try {
        await fetch(new URL(BASE + '/auth/logout', location.origin), { method: 'POST', headers: { Authorization: `Bearer ${session.accessToken}` } });
      } catch { /* signed out here all the same; the session ends when its refresh token expires */ }
    },
    get signedIn() { return !!store.get()?.accessToken; },
  };
}

/** A fresh Idempotency-Key (printable ASCII, well under the 100-character limit). */
export function newIdempotencyKey(prefix = 'web') {
  const id = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${id}`;
}

/**
 * Sends a state-changing call with one Idempotency-Key per user attempt: a network failure or 503 is retried
 * with the same key (the server answers the first outcome), so a retry can never place a second order.
 */
export async function withIdempotency(send, { attempts = 3, prefix } = {}) {
  const key = newIdempotencyKey(prefix);
  let last;
  for (let i = 0; i < attempts; i++) {
    try {
      return await send(key);
    } catch (e) {
      last = e;
      const transient = e instanceof ApiError && (e.status === 0 || e.status === 503 || e.status === 502 || e.status === 504);
      if (!transient) throw e;
      await new Promise((r) => setTimeout(r, 300 * (i + 1)));
    }
  }
  throw last;
}

/** Items of a paged answer, whatever the list is called. */
export function itemsOf(page) {
  if (Array.isArray(page)) return page;
  return page?.items ?? page?.entries ?? page?.orders ?? page?.products ?? page?.members ?? page?.alerts ?? [];
}
