/**
 * The SMTP command codec (RFC 5321 §4.1): splitting a command line into verb and arguments, and
 * parsing MAIL FROM / RCPT TO — the path (`<>`, quoted local parts, address literals, source
 * routes, which are recognised so they can be refused) and the ESMTP parameters (SIZE of RFC
 * 1870, BODY of RFC 6152, SMTPUTF8 of RFC 6531, RET/ENVID/NOTIFY/ORCPT of RFC 3461, AUTH of RFC
 * 4954). Pure: every failure is a ready SMTP reply, so the session only forwards it.
 */
import { ADDRESS_LIMITS } from '../../../core/limits.js';
import { SMTP_LIMITS } from '../limits.js';
import { reply, type SmtpReply } from './reply.js';

/** A mailbox from a path: local part (unquoted when quoting was not needed) and domain. */
export interface PathMailbox {
  /** Local part as it would be written canonically (quoted if it needs quoting). */
  readonly local: string;
  /** Domain name (as given) or address literal including brackets, e.g. `[127.0.0.1]`. */
  readonly domain: string;
  /** `local@domain`. */
  readonly address: string;
  /** True when any octet is non-ASCII (needs SMTPUTF8, RFC 6531 §3.3). */
  readonly utf8: boolean;
  /** True when the domain is an address literal. */
  readonly literal: boolean;
}

/** A reverse- or forward-path. */
export type SmtpPath =
  | { readonly kind: 'null' }
  | { readonly kind: 'postmaster' }
  | { readonly kind: 'mailbox'; readonly mailbox: PathMailbox; readonly sourceRoute: readonly string[] };

/** RFC 3461 NOTIFY values. */
export type NotifyValue = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY';

/** Parameters of MAIL FROM. */
export interface MailParams {
  readonly size?: number;
  readonly body?: '7BIT' | '8BITMIME';
  readonly smtputf8: boolean;
  readonly ret?: 'FULL' | 'HDRS';
  readonly envId?: string;
  /** RFC 4954 §5 AUTH=: accepted and ignored (we trust only our own AUTH). */
  readonly auth?: string;
}

/** Parameters of RCPT TO. */
export interface RcptParams {
  readonly notify?: readonly NotifyValue[];
  readonly orcpt?: string;
}

/** A parse outcome: a value, or the reply to send. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: SmtpReply };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(r: SmtpReply): Parsed<T> => ({ ok: false, reply: r });

/** Splits `VERB args`: the verb upper-cased, the arguments after the first space. */
export function splitCommand(line: string): { verb: string; args: string } {
  const sp = line.indexOf(' ');
  if (sp === -1) return { verb: line.toUpperCase(), args: '' };
  return { verb: line.slice(0, sp).toUpperCase(), args: line.slice(sp + 1).trim() };
}

// RFC 5321 §4.1.2 atext (plus UTF-8, RFC 6531 §3.3 uses RFC 6532's UTF8-non-ascii).
const SIZE_VALUE = new RegExp(`^\\d{1,${String(SMTP_LIMITS.sizeParamDigits)}}$`);
const BDAT_ARGS = new RegExp(`^(\\d{1,${String(SMTP_LIMITS.bdatSizeDigits)}})(?: +(LAST))? *$`, 'i');
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+$/;
const LABEL = /^[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]*[A-Za-z0-9\u0080-\uffff])?$/;
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
const XTEXT = /^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})+$/;
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

function isDotString(s: string): boolean {
  return s.split('.').every((atom) => ATOM.test(atom));
}

function parseDomain(d: string): { domain: string; literal: boolean } | null {
  if (d.startsWith('[')) {
    // RFC 5321 §4.1.3 address literal: [IPv4] or [IPv6:...] or [tag:content]
    return /^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(d) ? { domain: d, literal: true } : null;
  }
  if (d.length === 0 || d.length > ADDRESS_LIMITS.domainMaxOctets) return null;
  return d.split('.').every((l) => LABEL.test(l) && l.length <= ADDRESS_LIMITS.labelMaxOctets)
    ? { domain: d, literal: false }
    : null;
}

/** Parses `local@domain` (no brackets). Null when malformed. */
export function parseMailbox(text: string): PathMailbox | null {
  let local: string;
  let rest: string;
  if (text.startsWith('"')) {
    let i = 1;
    let content = '';
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === undefined || next < ' ' || next > '~') return null;
        content += next;
        i++;
      } else if (ch === '"') break;
      else if (ch === undefined || (ch < ' ' && ch !== '\t') || ch === '\x7f') return null;
      else content += ch;
    }
    if (text[i] !== '"' || text[i + 1] !== '@') return null;
    rest = text.slice(i + 2);
    local = isDotString(content) ? content : `"${content.replace(/["\\]/g, '\\$&')}"`;
  } else {
    const at = text.lastIndexOf('@');
    if (at <= 0) return null;
    local = text.slice(0, at);
    rest = text.slice(at + 1);
    if (!isDotString(local)) return null;
  }
  const domain = parseDomain(rest);
  if (domain === null) return null;
  if (Buffer.byteLength(local) > ADDRESS_LIMITS.localPartMaxOctets) return null;
  const address = `${local}@${domain.domain}`;
  return { local, domain: domain.domain, address, utf8: NON_ASCII.test(address), literal: domain.literal };
}

/** Parses `<...>` at the start of `text`; returns the path and the rest (parameters). */
export function parsePath(text: string): { path: SmtpPath; rest: string } | null {
  if (!text.startsWith('<')) return null;
  let i = 1;
  let quoted = false;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '>') break;
  }
  if (text[i] !== '>') return null;
  const inner = text.slice(1, i);
  const rest = text.slice(i + 1);
  if (rest !== '' && !rest.startsWith(' ')) return null;
  if (Buffer.byteLength(inner) + 2 > ADDRESS_LIMITS.pathMaxOctets) return null;
  if (inner === '') return { path: { kind: 'null' }, rest };
  if (inner.toLowerCase() === 'postmaster') return { path: { kind: 'postmaster' }, rest };
  let mailboxText = inner;
  const sourceRoute: string[] = [];
  if (inner.startsWith('@')) {
    // RFC 5321 §4.1.2 A-d-l: "@" Domain *( "," "@" Domain ) ":"
    const colon = inner.indexOf(':');
    if (colon === -1) return null;
    for (const hop of inner.slice(0, colon).split(',')) {
      if (!hop.startsWith('@') || parseDomain(hop.slice(1)) === null) return null;
      sourceRoute.push(hop.slice(1));
    }
    mailboxText = inner.slice(colon + 1);
  }
  const mailbox = parseMailbox(mailboxText);
  return mailbox === null ? null : { path: { kind: 'mailbox', mailbox, sourceRoute }, rest };
}

function splitParams(rest: string): Parsed<{ key: string; value: string | undefined }[]> {
  const out: { key: string; value: string | undefined }[] = [];
  for (const part of rest.split(' ')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).toUpperCase();
    const value = eq === -1 ? undefined : part.slice(eq + 1);
    if (!KEYWORD.test(key)) return fail(reply(501, '5.5.4', 'Malformed parameter'));
    if (out.some((p) => p.key === key)) return fail(reply(501, '5.5.4', `Duplicate parameter ${key}`));
    out.push({ key, value });
  }
  return ok(out);
}

function pathAfter(
  args: string,
  prefix: 'FROM:' | 'TO:',
): { path: SmtpPath; rest: string } | 'syntax' | 'path' {
  if (args.slice(0, prefix.length).toUpperCase() !== prefix) return 'syntax';
  // Lenient about a space after the colon: widespread (RFC 5321 §4.1.1.2 has none).
  const parsed = parsePath(args.slice(prefix.length).replace(/^ +/, ''));
  return parsed ?? 'path';
}

const badValue = (key: string): SmtpReply => reply(501, '5.5.4', `Bad value for ${key}`);

/** Parses the arguments of MAIL (`FROM:<path> params`). */
export function parseMailArgs(args: string): Parsed<{ path: SmtpPath; params: MailParams }> {
  const p = pathAfter(args, 'FROM:');
  if (p === 'syntax') return fail(reply(501, '5.5.4', 'Syntax: MAIL FROM:<address>'));
  if (p === 'path' || p.path.kind === 'postmaster')
    return fail(reply(501, '5.1.7', 'Bad sender address syntax'));
  const split = splitParams(p.rest);
  if (!split.ok) return split;
  let params: MailParams = { smtputf8: false };
  for (const { key, value } of split.value) {
    switch (key) {
      case 'SIZE':
        if (value === undefined || !SIZE_VALUE.test(value)) return fail(badValue(key));
        params = { ...params, size: Number(value) };
        break;
      case 'BODY': {
        const v = value?.toUpperCase();
        if (v !== '7BIT' && v !== '8BITMIME') {
          return fail(reply(555, '5.5.4', 'BODY must be 7BIT or 8BITMIME'));
        }
        params = { ...params, body: v };
        break;
      }
      case 'SMTPUTF8':
        if (value !== undefined) return fail(badValue(key));
        params = { ...params, smtputf8: true };
        break;
      case 'RET': {
        const v = value?.toUpperCase();
        if (v !== 'FULL' && v !== 'HDRS') return fail(badValue(key));
        params = { ...params, ret: v };
        break;
      }
      case 'ENVID':
        // RFC 3461 §4.4: xtext, at most 100 characters.
        if (value === undefined || value.length > SMTP_LIMITS.envIdChars || !XTEXT.test(value))
          return fail(badValue(key));
        params = { ...params, envId: value };
        break;
      case 'AUTH':
        if (value === undefined || (value !== '<>' && !XTEXT.test(value))) return fail(badValue(key));
        params = { ...params, auth: value };
        break;
      default:
        return fail(reply(555, '5.5.4', `Unsupported parameter ${key}`));
    }
  }
  return ok({ path: p.path, params });
}

/** Parses the arguments of RCPT (`TO:<path> params`). */
export function parseRcptArgs(args: string): Parsed<{ path: SmtpPath; params: RcptParams }> {
  const p = pathAfter(args, 'TO:');
  if (p === 'syntax') return fail(reply(501, '5.5.4', 'Syntax: RCPT TO:<address>'));
  if (p === 'path' || p.path.kind === 'null')
    return fail(reply(501, '5.1.3', 'Bad recipient address syntax'));
  const split = splitParams(p.rest);
  if (!split.ok) return split;
  let params: RcptParams = {};
  for (const { key, value } of split.value) {
    switch (key) {
      case 'NOTIFY': {
        const items = (value ?? '').toUpperCase().split(',');
        const known = ['NEVER', 'SUCCESS', 'FAILURE', 'DELAY'];
        // RFC 3461 §4.1: NEVER alone, or any of the other three.
        if (
          items.some((i) => !known.includes(i)) ||
          (items.includes('NEVER') && items.length > 1) ||
          new Set(items).size !== items.length
        ) {
          return fail(badValue(key));
        }
        params = { ...params, notify: items as NotifyValue[] };
        break;
      }
      case 'ORCPT':
        // RFC 3461 §4.2: addr-type ";" xtext, at most 500 characters.
        if (value === undefined || value.length > SMTP_LIMITS.orcptChars || !/^[A-Za-z0-9-]+;/.test(value))
          return fail(badValue(key));
        if (!XTEXT.test(value.slice(value.indexOf(';') + 1))) return fail(badValue(key));
        params = { ...params, orcpt: value };
        break;
      default:
        return fail(reply(555, '5.5.4', `Unsupported parameter ${key}`));
    }
  }
  return ok({ path: p.path, params });
}

/** Parses BDAT arguments (RFC 3030 §2: `chunk-size [SP "LAST"]`). */
export function parseBdatArgs(args: string): { size: number; last: boolean } | null {
  const m = BDAT_ARGS.exec(args);
  if (!m) return null;
  return { size: Number(m[1]), last: m[2] !== undefined };
}
