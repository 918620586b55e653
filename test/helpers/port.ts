/**
 * Whether something accepts TCP connections on a loopback port: how tests wait for a peer
 * process they spawned (smtp-sink, vsftpd) to start listening, with `eventually`.
 */
import { connect } from 'node:net';

/** Resolves true when a connection to 127.0.0.1:`port` succeeds (it is closed at once). */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      resolve(false);
    });
  });
}
