/**
 * Zone-file problems and the error that refuses a zone. Every problem carries the file and line it
 * came from so `check-zone` output points at the culprit; line 0 means "the zone as a whole"
 * (e.g. a missing SOA).
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';

/** One error or warning found in a zone. */
export interface ZoneProblem {
  readonly file: string;
  /** 1-based line, or 0 for zone-wide problems. */
  readonly line: number;
  readonly message: string;
}

/** `file:line: message` (or `file: message` for zone-wide problems). */
export function formatProblem(p: ZoneProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Thrown by `loadZone` when a zone has any error: the whole zone is refused, never half loaded. */
export class ZoneError extends OutpostError {
  readonly problems: readonly ZoneProblem[];

  constructor(origin: string, problems: readonly ZoneProblem[]) {
    super(
      ErrorCodes.PARSE,
      `zone ${origin} refused: ${problems.length} error${problems.length === 1 ? '' : 's'}\n` +
        problems.map(formatProblem).join('\n'),
    );
    this.name = 'ZoneError';
    this.problems = problems;
  }
}
