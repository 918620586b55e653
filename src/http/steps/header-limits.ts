/**
 * The `header-limits` step: a request over the documented header field count or (HTTP/2) header
 * list size gets 431 and the connection is closed (see ../header-limits.ts for why this is
 * checked here and not only by node).
 */
import type { HttpStep } from '../chain/chain.js';
import { headerSectionRefusal } from '../header-limits.js';
import { sendText } from '../responses.js';

/** The `header-limits` step; `maxHeaderBytes` is the limit the server gave node. */
export function headerLimitsStep(maxHeaderBytes: number): HttpStep {
  return {
    name: 'header-limits',
    handle: ({ req, res, head }) => {
      const tooLarge = headerSectionRefusal(req.rawHeaders, req.httpVersionMajor === 2, maxHeaderBytes);
      if (tooLarge === undefined) return 'next';
      sendText(res, 431, head, tooLarge, { Connection: 'close' });
      return 'done';
    },
  };
}
