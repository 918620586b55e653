/**
 * Master-file tokenizer (RFC 1035 §5.1). Turns zone text into entries: one entry per logical line,
 * where parentheses join physical lines, `;` starts a comment (outside quotes), `"..."` is one
 * token, and a line that starts with a space or tab has a blank owner. Escapes (`\X`, `\DDD`)
 * are kept verbatim in token text because their meaning depends on the field (a name or a
 * character-string); the lexer only makes sure an escaped character never ends a token. Errors
 * (unterminated quote or parenthesis, stray `)`) drop the broken entry and carry the line number.
 */

/** One token. `text` is raw (escapes not decoded); for quoted tokens it excludes the quotes. */
export interface Token {
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
}

/** One logical entry (a record or a `$` directive). */
export interface Entry {
  readonly line: number;
  readonly blankOwner: boolean;
  readonly tokens: readonly Token[];
}

/** A problem found while tokenizing, with its 1-based line. */
export interface LexProblem {
  readonly line: number;
  readonly message: string;
}

/** Result of `lex`: well-formed entries plus problems (broken entries are left out). */
export interface LexResult {
  readonly entries: Entry[];
  readonly problems: LexProblem[];
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

/** Split master-file text into entries (see the file comment). Never throws. */
export function lex(text: string): LexResult {
  const entries: Entry[] = [];
  const problems: LexProblem[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let depth = 0;
  let parenLine = 0;
  let tokens: Token[] = [];
  let entryLine = 1;
  let blankOwner = false;
  let broken = false;
  let atLineStart = true;

  const endEntry = (): void => {
    if (!broken && tokens.length > 0) entries.push({ line: entryLine, blankOwner, tokens });
    tokens = [];
    broken = false;
  };
  const skipToEol = (): void => {
    while (i < n && text[i] !== '\n') i++;
  };

  while (i < n) {
    const c = text[i] ?? '';
    if (atLineStart && depth === 0) {
      atLineStart = false;
      entryLine = line;
      blankOwner = isSpace(c) && c !== '\r';
    }
    if (c === '\n') {
      i++;
      line++;
      if (depth === 0) {
        endEntry();
        atLineStart = true;
      }
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === ';') {
      skipToEol();
      continue;
    }
    if (c === '(') {
      if (depth === 0) parenLine = line;
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) {
        problems.push({ line, message: 'unbalanced ")" (no matching "(")' });
        broken = true;
      } else {
        depth--;
      }
      i++;
      continue;
    }
    if (c === '"') {
      const startLine = line;
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = text[j];
        if (d === '\\') {
          if (text[j + 1] === '\n' || j + 1 >= n) break;
          j += 2;
          continue;
        }
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\n') break;
        j++;
      }
      if (!closed) {
        problems.push({ line: startLine, message: 'unterminated quoted string' });
        broken = true;
        depth = 0; // resynchronise at the next line
        i = j;
        skipToEol();
        atLineStart = false;
        continue;
      }
      tokens.push({ text: text.slice(i + 1, j), quoted: true, line });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < n) {
      const d = text[j] ?? '';
      if (d === '\\') {
        if (j + 1 >= n || text[j + 1] === '\n') {
          problems.push({ line, message: 'backslash at end of line' });
          broken = true;
          j++;
          break;
        }
        j += 2;
        continue;
      }
      if (d === '\n' || isSpace(d) || d === ';' || d === '(' || d === ')' || d === '"') break;
      j++;
    }
    tokens.push({ text: text.slice(i, j), quoted: false, line });
    i = j;
  }
  if (depth > 0) {
    problems.push({ line: parenLine, message: 'unterminated "(" (no matching ")" before end of file)' });
    broken = true;
  }
  endEntry();
  return { entries, problems };
}
