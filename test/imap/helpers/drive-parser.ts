/**
 * Drives a CommandParser over raw client bytes the way the session does over a LineConnection:
 * lines split at LF (CR dropped), lines over the IMAP line limit discarded as overflow (the
 * parser reset), literal steps fed with the next `size` octets, discard steps skipping them.
 * Synchronising literals are assumed already sent (the `+` is the session's business).
 */
import { IMAP_LIMITS } from '../../../src/imap/limits.js';
import type { CommandParser, ParseStep } from '../../../src/imap/codec/parser.js';

export type Driven =
  | Exclude<ParseStep, { kind: 'literal' } | { kind: 'discard' }>
  | { readonly kind: 'overflow' }
  | { readonly kind: 'truncated'; readonly wanted: number };

/** Every outcome of feeding `input` to `parser`; `literals` records the literal sizes it asked for. */
export function drive(
  parser: CommandParser,
  input: Buffer,
  literals: number[] = [],
  maxLine: number = IMAP_LIMITS.maxLineOctets,
): Driven[] {
  const out: Driven[] = [];
  let pos = 0;
  while (pos < input.length) {
    const lf = input.indexOf(0x0a, pos);
    if (lf < 0) break;
    let end = lf;
    if (end > pos && input[end - 1] === 0x0d) end--;
    const line = input.subarray(pos, end);
    pos = lf + 1;
    if (lf + 1 - (end - line.length) > maxLine) {
      parser.reset();
      out.push({ kind: 'overflow' });
      continue;
    }
    const step = parser.push(line);
    if (step.kind === 'literal' || step.kind === 'discard') {
      if (step.kind === 'literal') literals.push(step.size);
      if (pos + step.size > input.length) {
        out.push({ kind: 'truncated', wanted: step.size });
        return out;
      }
      if (step.kind === 'literal') parser.pushLiteral(input.subarray(pos, pos + step.size));
      pos += step.size;
      continue;
    }
    out.push(step);
  }
  return out;
}
