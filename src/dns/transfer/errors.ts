/**
 * Errors of zone replication. The codes live in core/errors.ts with every other; this module
 * keeps the names the transfer code uses and the error class that carries the rcode. Other
 * failures use the shared codes: ERR_TIMEOUT, ERR_CONNECTION_CLOSED, ERR_PARSE (a broken or
 * hostile stream), ERR_INPUT_TOO_LARGE (a limit).
 */
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { rcodeToString } from '../constants.js';

/** Codes specific to transfers and NOTIFY. */
export const TransferErrorCodes = {
  /** The server answered with an error rcode (REFUSED, NOTAUTH, SERVFAIL...); see `rcode`. */
  RCODE: ErrorCodes.DNS_RCODE,
  /** An IXFR reply was incremental (RFC 1995 §4), which this client does not apply. */
  INCREMENTAL: ErrorCodes.TRANSFER_INCREMENTAL,
} as const;

/** A server answered with an error rcode. */
export class DnsRcodeError extends OutpostError {
  readonly rcode: number;

  constructor(rcode: number, what: string) {
    super(TransferErrorCodes.RCODE, `${what}: ${rcodeToString(rcode)}`);
    this.name = 'DnsRcodeError';
    this.rcode = rcode;
  }
}
