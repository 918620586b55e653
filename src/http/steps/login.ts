/**
 * The `login` step: /login and /logout (login.ts) on every site, when the server has accounts and
 * a session key; other paths go on.
 */
import type { HttpStep } from '../chain/chain.js';
import { targetOf, type HandlerOptions, type WebExchange } from '../chain/web-context.js';
import { handleLogin, LOGIN_PATH, LOGOUT_PATH } from '../login.js';

/** The `login` step over `options`. */
export function loginStep(options: HandlerOptions): HttpStep<WebExchange> {
  const { accounts, sessions } = options;
  return {
    name: 'login',
    handle: (x) => {
      const { urlPath, host } = targetOf(x);
      if (accounts === undefined || sessions === undefined) return 'next';
      if (urlPath !== LOGIN_PATH && urlPath !== LOGOUT_PATH) return 'next';
      const info = { secure: x.secure, remoteAddress: x.req.socket.remoteAddress ?? '', host };
      return handleLogin(x.req, x.res, urlPath, info, { accounts, sessions }).then(() => 'done');
    },
  };
}
