/**
 * The secondary's side of a zone transfer: pull a zone from a primary over TCP (RFC 5936 §4.1:
 * AXFR only over TCP). Sends one AXFR query (or IXFR with our serial, RFC 1995 §3, accepting the
 * AXFR-format reply of §4 and falling back to AXFR on an incremental one), reads length-prefixed
 * messages until the closing SOA and checks each one (axfr-collector.ts). Bounded in time (one
 * deadline for the whole transfer), messages, octets and records.
 *
 * Errors (OutpostError codes): ERR_TIMEOUT, ERR_CONNECTION_CLOSED (refused, reset, or closed
 * before the closing SOA), ERR_PARSE (malformed or inconsistent stream), ERR_INPUT_TOO_LARGE (a
 * limit), ERR_DNS_RCODE (`DnsRcodeError`: REFUSED, NOTAUTH...).
 */
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { ErrorCodes, OutpostError } from '../../core/errors.js';
import { transcriptActive, transcriptTap, type TranscriptTap } from '../../core/transcript.js';
import { resolveServer, serverLabel, type DnsServerAddress } from '../client/server-address.js';
import { RRClass, RRType, typeToString } from '../constants.js';
import { requestHeader } from '../header.js';
import { decodeMessage } from '../decode.js';
import { MessageEncoder } from '../encode.js';
import type { Message, ResourceRecord, SoaData } from '../types.js';
import { AxfrCollector, type CollectedZone } from './axfr-collector.js';
import { TransferErrorCodes } from './errors.js';
import { FrameReader, frameMessage } from '../tcp-frame.js';
import { TRANSFER_LIMITS } from './limits.js';
import { describeQuery } from '../server/transcript.js';

/** What to transfer, from where, within which bounds. */
export interface TransferOptions {
  /** The primary (an IP literal or a host name, and a port). */
  readonly server: DnsServerAddress;
  /** The zone apex, e.g. `example.test.`. */
  readonly apex: string;
  /** Deadline for the whole transfer, connect included (ms). Default 60000. */
  readonly timeoutMs?: number;
  /** Most records accepted, both SOAs included. Default 1,000,000. */
  readonly maxRecords?: number;
  /** Most octets accepted (sum of message sizes). Default 256 MiB. */
  readonly maxBytes?: number;
  /** Most messages accepted. Default 100,000. */
  readonly maxMessages?: number;
  /** Ask IXFR with this serial (our current one); without it, AXFR. */
  readonly ixfrSerial?: number;
  /** Query id; random by default (tests pin it). */
  readonly id?: number;
}

/** A transferred zone. */
export interface TransferResult {
  /** The zone's SOA. */
  readonly soa: ResourceRecord & { readonly data: SoaData };
  /** Every record of the zone, the SOA first and once (empty when `upToDate`). */
  readonly records: ResourceRecord[];
  /** IXFR only: our copy was current, nothing was transferred. */
  readonly upToDate: boolean;
  readonly messages: number;
  readonly bytes: number;
}

const encoder = new MessageEncoder(512);

/** The AXFR/IXFR query (RFC 5936 §2.1; RFC 1995 §3: our SOA in the authority section for IXFR). */
export function buildTransferQuery(apex: string, id: number, ixfrSerial?: number): Message {
  const authorities: ResourceRecord[] =
    ixfrSerial === undefined
      ? []
      : [
          {
            name: apex,
            type: RRType.SOA,
            class: RRClass.IN,
            ttl: 0,
            data: {
              type: 'SOA',
              mname: '.',
              rname: '.',
              serial: ixfrSerial,
              refresh: 0,
              retry: 0,
              expire: 0,
              minimum: 0,
            },
          },
        ];
  return {
    header: requestHeader(id),
    questions: [
      { name: apex, type: ixfrSerial === undefined ? RRType.AXFR : RRType.IXFR, class: RRClass.IN },
    ],
    answers: [],
    authorities,
    additionals: [],
  };
}

/**
 * Transfer `apex` from `server`. Resolves with the whole zone once the closing SOA arrived;
 * rejects with the codes listed in the file comment. With `ixfrSerial`, an incremental IXFR
 * reply is answered by a second, AXFR, request within the same deadline.
 */
export async function transferZone(options: TransferOptions): Promise<TransferResult> {
  const deadline = Date.now() + (options.timeoutMs ?? TRANSFER_LIMITS.transferTimeoutMs);
  try {
    return await transferOnce(options, deadline);
  } catch (err) {
    if (options.ixfrSerial === undefined || !(err instanceof OutpostError)) throw err;
    if (err.code !== TransferErrorCodes.INCREMENTAL) throw err;
    const { ixfrSerial: _ignored, ...axfr } = options;
    return transferOnce(axfr, deadline);
  }
}

async function transferOnce(options: TransferOptions, deadline: number): Promise<TransferResult> {
  const target = await resolveServer(options.server);
  const label = serverLabel(target);
  const id = options.id ?? randomInt(0x10000);
  const queryMessage = buildTransferQuery(options.apex, id, options.ixfrSerial);
  const query = encoder.encode(queryMessage);
  // We are the client: our query is `C:`, the primary's stream is summarized as `S:`.
  const tap: TranscriptTap | undefined = transcriptActive()
    ? transcriptTap('dns', target.address)
    : undefined;
  const collector = new AxfrCollector({
    apex: options.apex,
    id,
    qtype: options.ixfrSerial === undefined ? RRType.AXFR : RRType.IXFR,
    ...(options.ixfrSerial === undefined ? {} : { ixfrSerial: options.ixfrSerial }),
    maxRecords: options.maxRecords ?? TRANSFER_LIMITS.maxTransferRecords,
    maxBytes: options.maxBytes ?? TRANSFER_LIMITS.maxTransferBytes,
    maxMessages: options.maxMessages ?? TRANSFER_LIMITS.maxTransferMessages,
  });
  const frames = new FrameReader();
  const frame = frameMessage(query);
  const socket = connect({ host: target.address, port: target.port });
  try {
    const zone = await new Promise<CollectedZone>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const fail = (err: unknown): void => {
        settle(() => {
          reject(err instanceof Error ? err : new Error(String(err)));
        });
      };
      const timer = setTimeout(
        () => {
          const p = collector.progress;
          fail(
            new OutpostError(
              ErrorCodes.TIMEOUT,
              `transfer of ${options.apex} from ${label} unfinished at the deadline (${p.messages} messages, ${p.records} records)`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      socket.on('connect', () => {
        tap?.('*', `connect to ${label} (tcp, zone transfer)`);
        tap?.('C', describeQuery(queryMessage));
        socket.write(frame);
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const bytes of frames.push(chunk)) {
            let message: Message;
            try {
              message = decodeMessage(bytes, { trailing: 'ignore' });
            } catch (err) {
              throw new OutpostError(ErrorCodes.PARSE, `malformed transfer message from ${label}`, {
                cause: err,
              });
            }
            if (collector.add(message, bytes.length)) {
              const result = collector.result;
              if (result !== undefined) {
                settle(() => {
                  resolve(result);
                });
              }
              return;
            }
          }
        } catch (err) {
          fail(err);
        }
      });
      socket.on('error', (err) => {
        fail(
          new OutpostError(ErrorCodes.CONNECTION_CLOSED, `${label}: ${err.message} (transfer)`, {
            cause: err,
          }),
        );
      });
      socket.on('close', () => {
        const p = collector.progress;
        fail(
          new OutpostError(
            ErrorCodes.CONNECTION_CLOSED,
            `${label} closed the connection before the closing SOA of ${options.apex} (${p.messages} messages, ${p.records} records)`,
          ),
        );
      });
    });
    tap?.('S', transferSummary(id, queryMessage, zone));
    return zone;
  } catch (err) {
    tap?.('*', `transfer failed: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  } finally {
    socket.destroy();
    tap?.('*', 'closed');
  }
}

/** `4660 AXFR example.test. complete: 3 messages, 1,234 records, serial 2026010101`. */
function transferSummary(id: number, query: Message, zone: CollectedZone): string {
  const q = query.questions[0];
  const what = `${id} ${q === undefined ? '' : `${typeToString(q.type)} ${q.name}`}`;
  if (zone.upToDate) return `${what} up to date at serial ${zone.soa.data.serial}`;
  return (
    `${what} complete: ${zone.messages.toLocaleString('en-US')} message${zone.messages === 1 ? '' : 's'}, ` +
    `${zone.records.length.toLocaleString('en-US')} records, serial ${zone.soa.data.serial}`
  );
}
