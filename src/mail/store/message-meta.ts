/**
 * What the store computes from a message's bytes once, when it is stored, so that no IMAP
 * command parses a message again: the ENVELOPE and MIME structure with byte ranges
 * (message/structure-of.ts) and the searchable text (search-text.ts), from ONE parse. A
 * message whose header section is over MESSAGE_LIMITS gets the fallback structure and its
 * bytes (as UTF-8, capped) as body text.
 */
import { ErrorCodes, hasCode } from '../../core/errors.js';
import { parseMime } from '../message/mime-parse.js';
import { fallbackStructure, structureOf, type MessageStructure } from '../message/structure-of.js';
import { STORE_LIMITS } from './limits.js';
import { foldForSearch, searchTextsOf, type SearchTexts } from './search-text.js';

/** A message's envelope, structure and search text. */
export interface MessageMeta extends MessageStructure, SearchTexts {}

/** Computes a message's metadata (see the file comment). Never throws on content. */
export function describeMessage(bytes: Buffer): MessageMeta {
  let tree;
  try {
    tree = parseMime(bytes);
  } catch (err) {
    if (!hasCode(err, ErrorCodes.INPUT_TOO_LARGE)) throw err;
    const text = foldForSearch(bytes.subarray(0, STORE_LIMITS.searchBodyChars).toString('utf8'));
    return { ...fallbackStructure(bytes), headerText: '', bodyText: text };
  }
  return { ...structureOf(bytes, tree), ...searchTextsOf(tree) };
}
