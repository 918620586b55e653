/**
 * BODY and BODYSTRUCTURE on the wire (RFC 9051 §7.5.2, §9 `body`): the stored `BodyStructure`
 * (src/mail/message/body-structure.ts) as nested lists. BODYSTRUCTURE carries the extension
 * data (MD5, disposition, language, location; multipart parameters); BODY does not.
 */
import type { BodyDisposition, BodyExtension, BodyStructure, SinglePartFields } from '../../mail/index.js';
import { nstringText, stringText } from './encode.js';
import { envelopeText } from './envelope.js';

const EMPTY_TEXT_PART = '("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0)';

function params(list: readonly (readonly [string, string])[] | null, utf8: boolean): string {
  if (list === null || list.length === 0) return 'NIL';
  return `(${list.map(([k, v]) => `${stringText(k, utf8)} ${stringText(v, utf8)}`).join(' ')})`;
}

function disposition(d: BodyDisposition | null, utf8: boolean): string {
  return d === null ? 'NIL' : `(${stringText(d.type, utf8)} ${params(d.params, utf8)})`;
}

function language(l: readonly string[] | null, utf8: boolean): string {
  if (l === null || l.length === 0) return 'NIL';
  if (l.length === 1) return stringText(l[0] ?? '', utf8);
  return `(${l.map((x) => stringText(x, utf8)).join(' ')})`;
}

function extension(e: BodyExtension, utf8: boolean): string {
  return `${disposition(e.disposition, utf8)} ${language(e.language, utf8)} ${nstringText(e.location, utf8)}`;
}

function fields(p: SinglePartFields, utf8: boolean): string {
  return [
    stringText(p.type, utf8),
    stringText(p.subtype, utf8),
    params(p.params, utf8),
    nstringText(p.id, utf8),
    nstringText(p.description, utf8),
    stringText(p.encoding, utf8),
    String(p.size),
  ].join(' ');
}

/**
 * `body` as response text: BODYSTRUCTURE when `extended`, BODY otherwise. Recursion follows the
 * stored tree, whose depth the MIME parser already bounded (MESSAGE_LIMITS.maxMimeDepth).
 */
export function bodyStructureText(b: BodyStructure, extended: boolean, utf8: boolean): string {
  if (b.kind === 'multipart') {
    // RFC 9051 §9: a multipart has at least one body; an empty one is shown with an empty text part.
    if (b.parts.length === 0) return `(${EMPTY_TEXT_PART} ${stringText(b.subtype, utf8)})`;
    const parts = b.parts.map((p) => bodyStructureText(p, extended, utf8)).join('');
    const ext = extended ? ` ${params(b.params, utf8)} ${extension(b, utf8)}` : '';
    return `(${parts} ${stringText(b.subtype, utf8)}${ext})`;
  }
  let text = fields(b, utf8);
  if (b.kind === 'text') text += ` ${b.lines}`;
  else if (b.kind === 'message') {
    text += ` ${envelopeText(b.envelope, utf8)} ${bodyStructureText(b.body, extended, utf8)} ${b.lines}`;
  }
  if (extended) text += ` ${nstringText(b.md5, utf8)} ${extension(b, utf8)}`;
  return `(${text})`;
}
