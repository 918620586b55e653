/**
 * Shared builders of the zone-transfer tests: the example.test fixture zone loaded through the
 * zone parser, a synthetic zone of any size, transfer queries, a canonical sorted text form of a
 * record set for comparisons, and a scripted fake TCP DNS server (undici-style: it writes
 * whatever bytes the test wants) for hostile-primary tests.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  decodeMessage,
  encodeMessage,
  nameKey,
  recordToText,
  requestHeader,
  RRClass,
  RRType,
} from '../../src/dns/index.js';
import type { Message, ResourceRecord, SoaData } from '../../src/dns/index.js';
import { loadZone } from '../../src/dns/zone/index.js';
import type { TransferZone } from '../../src/dns/transfer/axfr-out.js';

export const FIXTURE_ZONE = fileURLToPath(new URL('./fixtures/example.test.zone', import.meta.url));
export const APEX = 'example.test.';

/** The fixture zone, parsed. */
export function fixtureZone(): TransferZone {
  const zone = loadZone(readFileSync(FIXTURE_ZONE, 'utf8'), { origin: APEX, fileName: FIXTURE_ZONE });
  return { apex: APEX, records: zone.records };
}

/** An SOA record for `apex` with `serial`. */
export function soaRecord(
  apex: string,
  serial: number,
  timers: Partial<SoaData> = {},
): ResourceRecord & { data: SoaData } {
  return {
    name: apex,
    type: RRType.SOA,
    class: RRClass.IN,
    ttl: 3600,
    data: {
      type: 'SOA',
      mname: `ns1.${apex}`,
      rname: `hostmaster.${apex}`,
      serial,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
      ...timers,
    },
  };
}

/** A zone with an SOA, two NS and `count` A records (`hN.apex`), plus a few long TXT records. */
export function bigZone(count: number, serial = 1, apex = 'big.test.'): TransferZone {
  const records: ResourceRecord[] = [soaRecord(apex, serial)];
  records.push({
    name: apex,
    type: RRType.NS,
    class: RRClass.IN,
    ttl: 3600,
    data: { type: 'NS', target: `ns1.${apex}` },
  });
  records.push({
    name: `ns1.${apex}`,
    type: RRType.A,
    class: RRClass.IN,
    ttl: 3600,
    data: { type: 'A', address: '192.0.2.53' },
  });
  for (let i = 0; i < count; i++) {
    records.push({
      name: `h${i}.${apex}`,
      type: RRType.A,
      class: RRClass.IN,
      ttl: 300,
      data: { type: 'A', address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    });
  }
  for (let i = 0; i < 20; i++) {
    records.push({
      name: `txt${i}.${apex}`,
      type: RRType.TXT,
      class: RRClass.IN,
      ttl: 300,
      data: {
        type: 'TXT',
        strings: [new Uint8Array(255).fill(0x61 + (i % 26)), new Uint8Array(200).fill(0x41)],
      },
    });
  }
  return { apex, records };
}

/** A transfer query (AXFR, or IXFR with the client's serial in the authority section). */
export function transferQuery(apex: string, type: number, id = 0x4242, ixfrSerial?: number): Message {
  return {
    header: requestHeader(id),
    questions: [{ name: apex, type, class: RRClass.IN }],
    answers: [],
    authorities: ixfrSerial === undefined ? [] : [soaRecord(apex, ixfrSerial)],
    additionals: [],
  };
}

/** Records as sorted canonical text lines (names lower-cased), for set comparisons. */
export function canonicalTexts(records: readonly ResourceRecord[]): string[] {
  return records
    .map((rr) => {
      const data = rr.data;
      const lower = (s: string): string => nameKey(s);
      const norm: ResourceRecord =
        data.type === 'NS' || data.type === 'CNAME' || data.type === 'PTR' || data.type === 'DNAME'
          ? { ...rr, data: { ...data, target: lower(data.target) } }
          : data.type === 'MX'
            ? { ...rr, data: { ...data, exchange: lower(data.exchange) } }
            : data.type === 'SRV'
              ? { ...rr, data: { ...data, target: lower(data.target) } }
              : data.type === 'SOA'
                ? { ...rr, data: { ...data, mname: lower(data.mname), rname: lower(data.rname) } }
                : rr;
      return recordToText({ ...norm, name: lower(rr.name) });
    })
    .sort();
}

/** A fake TCP DNS server: `script` gets each framed query and the socket to write to. */
export async function fakeTcpServer(
  script: (query: Message, socket: Socket) => void,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const query = decodeMessage(pending.subarray(2, 2 + length));
        pending = pending.subarray(2 + length);
        script(query, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Write `message` to `socket` behind its two-octet length. */
export function writeFramed(socket: Socket, message: Message | Uint8Array): void {
  const bytes = message instanceof Uint8Array ? message : encodeMessage(message);
  const frame = Buffer.alloc(2 + bytes.length);
  frame.writeUInt16BE(bytes.length, 0);
  frame.set(bytes, 2);
  socket.write(frame);
}
