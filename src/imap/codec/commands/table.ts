/**
 * Which parser reads which command: the codec's one table from command name to argument
 * parser, with the commands that also have a UID form (RFC 9051 §6.4.9). The session's
 * command table (states, capabilities) lists the same names.
 */
import type { CommandBody } from '../command.js';
import type { Reader } from '../reader.js';
import { parseAppend } from './append.js';
import { parseFetch } from './fetch.js';
import { parseList, parseLsub } from './list.js';
import { parseCreate, parseOneMailbox, parseRename, parseStatus } from './mailbox.js';
import { parseCopyMove, parseExpunge } from './messages.js';
import { parseSearch } from './search.js';
import { parseSelect } from './select.js';
import { parseAuthenticate, parseBare, parseCompress, parseEnable, parseId, parseLogin } from './session.js';
import { parseStore } from './store.js';

type ArgParser = (r: Reader) => CommandBody;

/** Commands by upper-case name. */
export const COMMAND_PARSERS: ReadonlyMap<string, ArgParser> = new Map<string, ArgParser>([
  ['CAPABILITY', (r) => parseBare(r, 'CAPABILITY')],
  ['NOOP', (r) => parseBare(r, 'NOOP')],
  ['LOGOUT', (r) => parseBare(r, 'LOGOUT')],
  ['STARTTLS', (r) => parseBare(r, 'STARTTLS')],
  ['NAMESPACE', (r) => parseBare(r, 'NAMESPACE')],
  ['IDLE', (r) => parseBare(r, 'IDLE')],
  ['CLOSE', (r) => parseBare(r, 'CLOSE')],
  ['UNSELECT', (r) => parseBare(r, 'UNSELECT')],
  ['CHECK', (r) => parseBare(r, 'CHECK')],
  ['UNAUTHENTICATE', (r) => parseBare(r, 'UNAUTHENTICATE')],
  ['AUTHENTICATE', parseAuthenticate],
  ['LOGIN', parseLogin],
  ['ENABLE', parseEnable],
  ['ID', parseId],
  ['COMPRESS', parseCompress],
  ['SELECT', (r) => parseSelect(r, 'SELECT')],
  ['EXAMINE', (r) => parseSelect(r, 'EXAMINE')],
  ['CREATE', parseCreate],
  ['DELETE', (r) => parseOneMailbox(r, 'DELETE')],
  ['SUBSCRIBE', (r) => parseOneMailbox(r, 'SUBSCRIBE')],
  ['UNSUBSCRIBE', (r) => parseOneMailbox(r, 'UNSUBSCRIBE')],
  ['RENAME', parseRename],
  ['STATUS', parseStatus],
  ['LIST', parseList],
  ['LSUB', parseLsub],
  ['APPEND', parseAppend],
  ['EXPUNGE', (r) => parseExpunge(r, false)],
  ['SEARCH', (r) => parseSearch(r, false)],
  ['FETCH', (r) => parseFetch(r, false)],
  ['STORE', (r) => parseStore(r, false)],
  ['COPY', (r) => parseCopyMove(r, 'COPY', false)],
  ['MOVE', (r) => parseCopyMove(r, 'MOVE', false)],
]);

/** The commands after `UID` (RFC 9051 §6.4.9, RFC 4315 UID EXPUNGE, RFC 6851 UID MOVE). */
export const UID_COMMAND_PARSERS: ReadonlyMap<string, ArgParser> = new Map<string, ArgParser>([
  ['EXPUNGE', (r) => parseExpunge(r, true)],
  ['SEARCH', (r) => parseSearch(r, true)],
  ['FETCH', (r) => parseFetch(r, true)],
  ['STORE', (r) => parseStore(r, true)],
  ['COPY', (r) => parseCopyMove(r, 'COPY', true)],
  ['MOVE', (r) => parseCopyMove(r, 'MOVE', true)],
]);
