/**
 * DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): every message behind a two-octet length.
 * `frameMessage` adds the prefix; `FrameReader` splits a byte stream back into messages, pure and
 * incremental: feed it chunks as they arrive, get whole messages back. A frame can never exceed
 * 65535 octets, so at most one partial frame is ever buffered. Shared by the server, the stub
 * client and zone transfers.
 */
import { ErrorCodes, OutpostError } from '../core/errors.js';
import { HEADER_SIZE, MAX_MESSAGE_SIZE } from './limits.js';

/** `message` behind its two-octet length prefix. Throws ERR_INPUT_TOO_LARGE past 65535 octets. */
export function frameMessage(message: Uint8Array): Buffer {
  if (message.length > MAX_MESSAGE_SIZE) {
    throw new OutpostError(ErrorCodes.INPUT_TOO_LARGE, `message of ${message.length} octets exceeds 65535`);
  }
  const frame = Buffer.allocUnsafe(2 + message.length);
  frame.writeUInt16BE(message.length, 0);
  frame.set(message, 2);
  return frame;
}

/** Incremental length-prefix deframer. */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** Octets received but not yet returned as a message. */
  get buffered(): number {
    return this.#pending.length;
  }

  /**
   * Add `chunk` and return every message it completes (copies, without prefixes). Throws
   * ERR_PARSE for a frame shorter than a DNS header: the stream is out of sync.
   */
  push(chunk: Uint8Array): Buffer[] {
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    while (this.#pending.length >= 2) {
      const length = this.#pending.readUInt16BE(0);
      if (length < HEADER_SIZE) {
        throw new OutpostError(
          ErrorCodes.PARSE,
          `TCP frame of ${length} octets is shorter than a DNS header`,
        );
      }
      if (this.#pending.length < 2 + length) break;
      out.push(Buffer.from(this.#pending.subarray(2, 2 + length)));
      this.#pending = this.#pending.subarray(2 + length);
    }
    return out;
  }
}
