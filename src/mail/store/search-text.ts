/**
 * The text IMAP SEARCH looks through (RFC 9051 §6.4.4: BODY, TEXT, HEADER, SUBJECT, FROM…),
 * computed once when a message is stored so a search never parses MIME or decodes base64:
 * the top-level header fields with encoded words decoded (one `name: value` line each), and the
 * decoded text of every text part plus the headers of encapsulated messages. Both are folded
 * to lower case, since SEARCH matches case-insensitively; the body text is capped at
 * STORE_LIMITS.searchBodyChars. Both backends store these strings and match with the same
 * functions (SQLite prefilters in SQL with instr()).
 */
import { decodeEncodedWords } from '../message/encoded-word.js';
import type { HeaderField } from '../message/headers.js';
import { textContent, type MimePart } from '../message/mime-parse.js';
import { STORE_LIMITS } from './limits.js';
import type { TextCriterion } from './types.js';

/** A message's searchable text (see the file comment). */
export interface SearchTexts {
  readonly headerText: string;
  readonly bodyText: string;
}

/** How a needle and a text are compared: both folded the same way. */
export function foldForSearch(text: string): string {
  return text.toLowerCase();
}

function headerLines(fields: readonly HeaderField[]): string {
  let out = '';
  for (const f of fields) {
    const value = decodeEncodedWords(f.value).replace(/[\r\n]+/g, ' ');
    out += `${f.name.toLowerCase()}: ${value}\n`;
  }
  return foldForSearch(out);
}

function bodyText(part: MimePart, out: { text: string }, max: number): void {
  if (out.text.length >= max) return;
  if (part.children.length === 0) {
    // Cut before folding: a huge text part costs one decode, not a fold of all of it.
    if (part.contentType.startsWith('text/')) {
      out.text += foldForSearch(textContent(part).slice(0, max - out.text.length)) + '\n';
    }
    return;
  }
  const encapsulates = part.contentType.startsWith('message/');
  // Depth is bounded by parseMime (MESSAGE_LIMITS.maxMimeDepth).
  for (const child of part.children) {
    if (encapsulates) out.text += headerLines(child.headers);
    bodyText(child, out, max);
  }
}

/** The searchable text of a parsed message. */
export function searchTextsOf(
  root: MimePart,
  maxBodyChars: number = STORE_LIMITS.searchBodyChars,
): SearchTexts {
  const out = { text: '' };
  bodyText(root, out, maxBodyChars);
  return { headerText: headerLines(root.headers), bodyText: out.text.slice(0, maxBodyChars) };
}

/** True when header field `field` (any case) occurs and its value contains `needle` (folded). */
function headerHas(headerText: string, field: string, needle: string): boolean {
  const prefix = `${foldForSearch(field)}: `;
  let at = headerText.startsWith(prefix) ? 0 : headerText.indexOf(`\n${prefix}`);
  while (at >= 0) {
    const start = at === 0 && headerText.startsWith(prefix) ? prefix.length : at + 1 + prefix.length;
    const end = headerText.indexOf('\n', start);
    if (headerText.slice(start, end < 0 ? undefined : end).includes(needle)) return true;
    at = headerText.indexOf(`\n${prefix}`, start);
  }
  return false;
}

/** Whether a message's texts satisfy one criterion (RFC 9051 §6.4.4 semantics). */
export function matchesText(texts: SearchTexts, criterion: TextCriterion): boolean {
  const needle = foldForSearch(criterion.needle);
  switch (criterion.in) {
    case 'body':
      return texts.bodyText.includes(needle);
    case 'text':
      return texts.headerText.includes(needle) || texts.bodyText.includes(needle);
    case 'header':
      return headerHas(texts.headerText, criterion.field, needle);
  }
}
