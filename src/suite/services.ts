/**
 * The ordered list of services `outpost serve` can run: the one place where a protocol joins the
 * suite. Order matters: services start in this order (DNS first, so mail can resolve through
 * it) and stop in reverse. A protocol that is not built yet is simply not listed.
 */
import { dnsServiceDefinition } from '../dns/service/dns-service.js';
import type { ServiceDefinition } from './service.js';

export const SERVICES: readonly ServiceDefinition[] = [dnsServiceDefinition];
