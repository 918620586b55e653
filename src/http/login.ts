/**
 * The login form and session cookie: GET /login shows a form (or who is signed in), POST /login
 * checks the account with AccountStore.authenticate (throttled) and sets a signed session cookie
 * (HttpOnly, SameSite=Strict, Secure over TLS), POST /logout clears it (Max-Age=0). Like Basic
 * auth, a password is only accepted over TLS or from loopback. `sessionUser()` is what other web
 * pages (admin UI, webmail) call to know who is signed in.
 */
import type { AccountStore } from '../core/accounts/store.js';
import { transportAllowsCredentials } from './auth.js';
import { parseCookieHeader, serializeCookie } from './cookies/cookie.js';
import { SESSION_COOKIE, type SessionSigner } from './cookies/session.js';
import { HTTP_LIMITS } from './limits.js';
import { escapeHtml, sendHtml, sendText } from './responses.js';
import type { HttpRequest, HttpResponse, RequestInfo } from './types.js';
import { readForm } from './writes.js';

/** Paths the login pages answer on (reserved on every site). */
export const LOGIN_PATH = '/login';
export const LOGOUT_PATH = '/logout';

/** What the login pages need. */
export interface LoginContext {
  readonly accounts: AccountStore;
  readonly sessions: SessionSigner;
}

/** The signed-in user of a request, from its session cookie. */
export function sessionUser(req: HttpRequest, sessions: SessionSigner): string | undefined {
  return sessions.verify(parseCookieHeader(req.headers.cookie).get(SESSION_COOKIE))?.user;
}

function page(body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in</title></head>
<body>
${body}
</body>
</html>
`;
}

const FORM = `<form method="post" action="${LOGIN_PATH}">
<label>Address <input name="user" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button>Sign in</button>
</form>`;

/** Handles /login and /logout; returns false when the path is not one of them. */
export async function handleLogin(
  req: HttpRequest,
  res: HttpResponse,
  path: string,
  info: RequestInfo,
  ctx: LoginContext,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const head = method === 'HEAD';
  if (path === LOGOUT_PATH) {
    if (method !== 'POST') {
      sendText(res, 405, head, undefined, { Allow: 'POST' });
      return true;
    }
    const clear = serializeCookie(SESSION_COOKIE, '', {
      path: '/',
      maxAge: 0,
      httpOnly: true,
      sameSite: 'Strict',
      secure: info.secure,
    });
    sendText(res, 303, false, 'signed out', { Location: LOGIN_PATH, 'Set-Cookie': clear });
    return true;
  }
  if (path !== LOGIN_PATH) return false;
  if (method === 'GET' || method === 'HEAD') {
    const user = sessionUser(req, ctx.sessions);
    const body =
      user === undefined
        ? `<h1>Sign in</h1>\n${FORM}`
        : `<h1>Signed in</h1>\n<p>Signed in as <b id="user">${escapeHtml(user)}</b>.</p>\n<form method="post" action="${LOGOUT_PATH}"><button>Sign out</button></form>`;
    sendHtml(res, 200, head, page(body));
    return true;
  }
  if (method !== 'POST') {
    sendText(res, 405, head, undefined, { Allow: 'GET, HEAD, POST' });
    return true;
  }
  if (!transportAllowsCredentials(info.secure, info.remoteAddress)) {
    sendText(res, 403, false, 'sign in over HTTPS');
    return true;
  }
  const form = await readForm(req, HTTP_LIMITS.maxFormBytes);
  const user = form?.get('user') ?? '';
  const password = form?.get('password') ?? '';
  const result = await ctx.accounts.authenticate(user, password, {
    ip: info.remoteAddress,
    protocol: 'http',
  });
  if (!result.ok) {
    const why =
      result.reason === 'throttled'
        ? 'Too many failed attempts; try again later.'
        : 'Wrong address or password.';
    sendHtml(
      res,
      result.reason === 'throttled' ? 429 : 403,
      false,
      page(`<h1>Sign in</h1>\n<p role="alert">${why}</p>\n${FORM}`),
    );
    return true;
  }
  const token = ctx.sessions.sign(result.user.address, HTTP_LIMITS.sessionMaxAgeS);
  const cookie = serializeCookie(SESSION_COOKIE, token, {
    path: '/',
    maxAge: HTTP_LIMITS.sessionMaxAgeS,
    httpOnly: true,
    sameSite: 'Strict',
    secure: info.secure,
  });
  sendText(res, 303, false, 'signed in', { Location: LOGIN_PATH, 'Set-Cookie': cookie });
  return true;
}
