/**
 * Where the suite's resolver actually listens, shared with other services (the SMTP queue's MX
 * lookups) under a typed key: a `listen` address with port 0 (tests) only has its real port once
 * bound, so the configuration alone cannot name it. The resolver service fills it in after its
 * listeners are up; services start in order, so the queue reads it after.
 */
import { resourceKey } from '../../core/service/shared-resources.js';

/** A host and port a client can send queries to. */
export interface ResolverAddress {
  readonly host: string;
  readonly port: number;
}

/** The resolver's first bound address, once it listens. */
export class ResolverBinding {
  address: ResolverAddress | undefined;
  close(): void {
    this.address = undefined;
  }
}

export const RESOLVER_BINDING = resourceKey<ResolverBinding>('resolver-binding');

/** A wildcard listen address as a client reaches it: on loopback. */
export function reachableHost(host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
}
