/**
 * Public surface of zone replication: answering AXFR/IXFR as a primary (axfr-out), pulling zones
 * as a secondary (axfr-in, secondary), NOTIFY both ways (notify, notify-on-change), the transfer
 * allow-list, RFC 1982 serial arithmetic and the secondary's zone-file persistence.
 */
export { isTransferAllowed, parseAllowEntry, parseAllowList, type AllowEntry } from './allow-list.js';
export {
  answerTransfer,
  axfrMessages,
  isTransferQuery,
  zoneSoa,
  type SoaRecord,
  type TransferPolicy,
  type TransferZone,
} from './axfr-out.js';
export { buildTransferQuery, transferZone, type TransferOptions, type TransferResult } from './axfr-in.js';
export { AxfrCollector, type CollectedZone, type CollectorOptions } from './axfr-collector.js';
export { DnsRcodeError, TransferErrorCodes } from './errors.js';
export { FrameReader, frameMessage } from '../tcp-frame.js';
export { TRANSFER_LIMITS } from './limits.js';
export {
  buildNotify,
  notifiedZone,
  notifyReply,
  parseHostPort,
  sendNotify,
  type NotifyOutcome,
  type SendNotifyOptions,
} from './notify.js';
export { notifyOnChange, shouldNotify, type NotifyOnChangeOptions } from './notify-on-change.js';
export {
  SecondaryZone,
  type SecondaryStatus,
  type SecondaryTimers,
  type SecondaryZoneOptions,
  type ZoneVersion,
} from './secondary.js';
export { serialAdd, serialCompare, serialGreater } from './serial.js';
export { querySoaSerial } from './soa-query.js';
export { readZoneFile, writeZoneFile, zoneToText, type StoredZone } from './zone-file.js';
