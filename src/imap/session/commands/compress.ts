/**
 * COMPRESS DEFLATE (RFC 4978): once per connection, after login, over TLS or not. The OK goes
 * out uncompressed and everything after it is raw DEFLATE both ways (the line layer's
 * DeflateLayer, flushed after each burst of responses); a second COMPRESS is `NO
 * [COMPRESSIONACTIVE]`. UNAUTHENTICATE turns it off again (auth.ts).
 */
import type { ImapSessionContext } from '../context.js';
import { bad, no, ok, type ImapReply } from '../reply.js';
import type { CommandOf } from './types.js';

/** COMPRESS mechanism. */
export function compressCommand(ctx: ImapSessionContext, cmd: CommandOf<'COMPRESS'>): ImapReply {
  if (cmd.mechanism !== 'DEFLATE') return bad(cmd.tag, `Unknown compression mechanism ${cmd.mechanism}`);
  if (ctx.conn.compressed) return no(cmd.tag, 'DEFLATE is already active', { code: 'COMPRESSIONACTIVE' });
  return ctx.startCompression(ok(cmd.tag, 'DEFLATE active').line);
}
