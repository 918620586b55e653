/**
 * What the transcript shows of a response written as raw chunks (FETCH data, see
 * ResponseBuilder): its lines, with every literal's octets replaced by `<n octets>`, the way the
 * line layer shows a client's literals. Literals may be inline in a text chunk (a long ENVELOPE
 * string) or come as Buffers after the `{n}` that announced them; one transcriber follows a
 * whole response across its chunks.
 */
import type { Chunk } from './encode.js';

const LITERAL_AT_END = /~?\{(\d+)\}$/;

/** Turns the chunks of one response into transcript lines, chunk by chunk. */
export class ResponseTranscriber {
  /** Literal octets still to skip. */
  #skip = 0;
  /** Text of the current line so far (a line may span chunks). */
  #line = '';

  /** The complete lines this chunk finishes (a literal counts as one `<n octets>` line). */
  lines(chunk: Chunk): string[] {
    const out: string[] = [];
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    while (data.length > 0) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, data.length);
        this.#skip -= n;
        data = data.subarray(n);
        continue;
      }
      const crlf = data.indexOf('\r\n');
      if (crlf < 0) {
        this.#line += data.toString('utf8');
        break;
      }
      const line = this.#line + data.toString('utf8', 0, crlf);
      this.#line = '';
      data = data.subarray(crlf + 2);
      out.push(line);
      const literal = LITERAL_AT_END.exec(line);
      if (literal) {
        this.#skip = Number(literal[1]);
        out.push(`<${String(this.#skip)} octets>`);
      }
    }
    return out;
  }
}
