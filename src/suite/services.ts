/**
 * The ordered list of services `outpost serve` can run: the one place where a protocol joins the
 * suite. Order matters: services start in this order (DNS and the resolver first, so mail can resolve
 * through them) and stop in reverse. A protocol that is not built yet is simply not listed.
 */
import { dnsServiceDefinition } from '../dns/service/dns-service.js';
import { resolverServiceDefinition } from '../dns/resolver/service.js';
import { smtpServiceDefinition } from '../mail/service/smtp-service.js';
import { httpServiceDefinition } from '../http/service.js';
import { adminServiceDefinition } from '../admin/service.js';
import { proxyServiceDefinition } from '../proxy/service.js';
import { pop3ServiceDefinition } from '../pop3/service.js';
import { imapServiceDefinition } from '../imap/service.js';
import { ftpServiceDefinition } from '../ftp/service/ftp-service.js';
import type { ServiceDefinition } from '../core/service/service.js';

export const SERVICES: readonly ServiceDefinition[] = [
  dnsServiceDefinition,
  resolverServiceDefinition,
  smtpServiceDefinition,
  httpServiceDefinition,
  proxyServiceDefinition,
  adminServiceDefinition,
  pop3ServiceDefinition,
  imapServiceDefinition,
  ftpServiceDefinition,
];
