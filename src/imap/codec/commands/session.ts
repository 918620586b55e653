/**
 * The commands about the session rather than a mailbox: AUTHENTICATE (with RFC 4959's initial
 * response), LOGIN, ENABLE (RFC 5161), ID (RFC 2971, with its size rules), COMPRESS (RFC 4978)
 * and every command without arguments.
 */
import type { CommandBody } from '../command.js';
import type { Reader } from '../reader.js';
import { IMAP_LIMITS } from '../../limits.js';

/** Commands that take no arguments. */
export type BareCommand =
  | 'CAPABILITY'
  | 'NOOP'
  | 'LOGOUT'
  | 'STARTTLS'
  | 'NAMESPACE'
  | 'IDLE'
  | 'CLOSE'
  | 'UNSELECT'
  | 'CHECK'
  | 'UNAUTHENTICATE';

/** A command without arguments: anything after the name is an error. */
export function parseBare(r: Reader, name: BareCommand): CommandBody {
  r.end();
  return { name };
}

/** AUTHENTICATE mechanism [initial-response] (RFC 9051 §6.2.2, RFC 4959 §7). */
export function parseAuthenticate(r: Reader): CommandBody {
  r.sp();
  const mechanism = r.keyword('a SASL mechanism');
  let initialResponse: string | null = null;
  if (r.eat(0x20)) {
    initialResponse = r.run((c) => c !== 0x20, 'an initial response');
    if (initialResponse === '=') initialResponse = '';
    else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(initialResponse) || initialResponse.length % 4 !== 0) {
      r.fail('initial response is not base64');
    }
    if (initialResponse.length > IMAP_LIMITS.maxSaslResponseOctets) r.fail('initial response too long');
  }
  r.end();
  return { name: 'AUTHENTICATE', mechanism, initialResponse };
}

/** LOGIN userid password (both astrings). */
export function parseLogin(r: Reader): CommandBody {
  r.sp();
  const user = r.astring('a user name');
  r.sp();
  const password = r.astring('a password');
  r.end();
  return { name: 'LOGIN', user, password };
}

/** ENABLE 1*(SP capability). */
export function parseEnable(r: Reader): CommandBody {
  const capabilities: string[] = [];
  do {
    r.sp();
    capabilities.push(r.keyword('a capability'));
    if (capabilities.length > r.limits.maxListItems) r.fail('too many capabilities');
  } while (!r.atEnd());
  r.end();
  return { name: 'ENABLE', capabilities };
}

/** ID ( "(" string SP nstring … ")" / NIL ) with RFC 2971 §3.3's sizes. */
export function parseId(r: Reader): CommandBody {
  r.sp();
  if (r.eatKeyword('NIL')) {
    r.end();
    return { name: 'ID', params: null };
  }
  const params = r.list(() => {
    const field = r.string('an ID field');
    r.sp();
    const value = r.nstring('an ID value');
    if (Buffer.byteLength(field) > IMAP_LIMITS.maxIdFieldOctets)
      r.fail('ID field name longer than 30 octets');
    if (value !== null && Buffer.byteLength(value) > IMAP_LIMITS.maxIdValueOctets) {
      r.fail('ID value longer than 1024 octets');
    }
    return [field, value] as const;
  });
  if (params.length > IMAP_LIMITS.maxIdPairs) r.fail('more than 30 ID pairs');
  r.end();
  return { name: 'ID', params };
}

/** COMPRESS algorithm (RFC 4978 §3). */
export function parseCompress(r: Reader): CommandBody {
  r.sp();
  const mechanism = r.keyword('a compression mechanism');
  r.end();
  return { name: 'COMPRESS', mechanism };
}
