/**
 * The two things every line-protocol service (POP3, IMAP, FTP) does with its `listen` (plain,
 * upgrade offered) and `tls_listen` (implicit TLS) addresses: bind them all, closing the service
 * when one fails so that a start that throws leaves nothing bound, and list what is bound as the
 * start-up table's endpoints.
 */
import type { AddressInfo } from 'node:net';
import type { BoundListener, ListenOptions } from '../server/tcp-service.js';
import type { Endpoint } from './service.js';

/** One configured address. */
interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A protocol section's listener keys. */
export interface ListenerAddresses {
  readonly listen: readonly HostPort[];
  readonly tls_listen: readonly HostPort[];
}

/** Binds `listen` then `tls_listen` on `server`; on the first failure runs `close` and rethrows. */
export async function bindListeners(
  server: { listen(options: ListenOptions): Promise<AddressInfo> },
  addresses: ListenerAddresses,
  close: () => Promise<void>,
): Promise<void> {
  try {
    for (const a of addresses.listen) await server.listen({ host: a.host, port: a.port });
    for (const a of addresses.tls_listen) await server.listen({ host: a.host, port: a.port, tls: true });
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The endpoints of `listeners`: implicit TLS ones as such, plain ones as `starttls` when the
 * upgrade is offered (a certificate exists), else `none`; `note` adds a table note per listener.
 */
export function tcpEndpoints(
  service: string,
  listeners: readonly BoundListener[],
  starttlsOffered: boolean,
  note?: (listener: BoundListener) => string,
): Endpoint[] {
  return listeners.map((l) => ({
    service,
    transport: 'tcp',
    host: l.address.address,
    port: l.address.port,
    tls: l.tls ? 'implicit' : starttlsOffered ? 'starttls' : 'none',
    ...(note === undefined ? {} : { note: note(l) }),
  }));
}
