/**
 * Deterministic property tests (seeded PRNG, so failures reproduce): random valid messages survive
 * decode(encode(x)) unchanged, and random mutations of valid packets either decode or throw an
 * ERR_PARSE OutpostError — never another exception — and whatever decodes re-encodes to a fixed
 * point.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutpostError } from '../../src/core/errors.js';
import {
  decodeMessage,
  encodeMessage,
  formatIpv6,
  formatLabels,
  MessageEncoder,
  type Edns,
  type Message,
  type RecordData,
  type ResourceRecord,
} from '../../src/dns/index.js';
import { makeMessage, prng } from './helpers.js';

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const bytes = (r: Rand, n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(r, 256));

/** A random name: mostly lower-case hostnames from a small pool (so compression kicks in), sometimes odd octets. */
function name(r: Rand): string {
  const pool = ['example', 'test', 'www', 'mail', 'a', 'b-c', '_srv', '*', 'xn--bcher-kva'];
  const labels: Uint8Array[] = [];
  const count = int(r, 5);
  for (let i = 0; i < count; i++) {
    if (r() < 0.1) {
      // any octet but upper-case ASCII (compression matches case-insensitively, see encode.ts)
      labels.push(Uint8Array.from(bytes(r, 1 + int(r, 10)), (b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b)));
    } else {
      labels.push(new TextEncoder().encode(pick(r, pool)));
    }
  }
  return formatLabels(labels);
}

function data(r: Rand): RecordData {
  switch (int(r, 14)) {
    case 0:
      return { type: 'A', address: `${int(r, 256)}.${int(r, 256)}.${int(r, 256)}.${int(r, 256)}` };
    case 1:
      return {
        type: 'AAAA',
        address: formatIpv6(
          r() < 0.5 ? bytes(r, 16) : Uint8Array.from([...new Uint8Array(10), 255, 255, ...bytes(r, 4)]),
        ),
      };
    case 2:
      return { type: pick(r, ['NS', 'CNAME', 'PTR', 'DNAME'] as const), target: name(r) };
    case 3:
      return { type: 'MX', preference: int(r, 65536), exchange: name(r) };
    case 4:
      return {
        type: 'SOA',
        mname: name(r),
        rname: name(r),
        serial: int(r, 2 ** 32),
        refresh: int(r, 2 ** 32),
        retry: int(r, 2 ** 31),
        expire: int(r, 2 ** 31),
        minimum: int(r, 2 ** 31),
      };
    case 5:
      return { type: 'TXT', strings: Array.from({ length: 1 + int(r, 4) }, () => bytes(r, int(r, 256))) };
    case 6:
      return { type: 'HINFO', cpu: bytes(r, int(r, 20)), os: bytes(r, int(r, 20)) };
    case 7:
      return {
        type: 'SRV',
        priority: int(r, 65536),
        weight: int(r, 65536),
        port: int(r, 65536),
        target: name(r),
      };
    case 8:
      return {
        type: 'CAA',
        flags: pick(r, [0, 128]),
        tag: pick(r, ['issue', 'issuewild', 'iodef', 'x1']),
        value: bytes(r, int(r, 40)),
      };
    default:
      return { type: pick(r, [10, 43, 99, 65280, 65535]), data: bytes(r, int(r, 30)) };
  }
}

function record(r: Rand): ResourceRecord {
  const d = data(r);
  const typeCode =
    typeof d.type === 'number'
      ? d.type
      : {
          A: 1,
          AAAA: 28,
          NS: 2,
          CNAME: 5,
          PTR: 12,
          DNAME: 39,
          MX: 15,
          SOA: 6,
          TXT: 16,
          HINFO: 13,
          SRV: 33,
          CAA: 257,
        }[d.type];
  return { name: name(r), type: typeCode, class: pick(r, [1, 1, 1, 3, 254]), ttl: int(r, 2 ** 31), data: d };
}

function message(r: Rand): Message {
  const list = (max: number): ResourceRecord[] => Array.from({ length: int(r, max) }, () => record(r));
  const edns: Edns | undefined =
    r() < 0.5
      ? undefined
      : {
          udpPayloadSize: int(r, 65536),
          extendedRcode: 0,
          version: int(r, 256),
          dnssecOk: r() < 0.5,
          z: int(r, 0x8000),
          options: Array.from({ length: int(r, 3) }, () => ({
            code: int(r, 65536),
            data: bytes(r, int(r, 12)),
          })),
        };
  let rcode = int(r, 16);
  if (edns !== undefined && r() < 0.3) rcode = int(r, 4096);
  const base = makeMessage({
    header: {
      id: int(r, 65536),
      qr: r() < 0.5,
      opcode: int(r, 16),
      aa: r() < 0.5,
      tc: r() < 0.5,
      rd: r() < 0.5,
      ra: r() < 0.5,
      z: r() < 0.5,
      ad: r() < 0.5,
      cd: r() < 0.5,
      rcode,
    },
    questions: Array.from({ length: int(r, 3) }, () => ({
      name: name(r),
      type: int(r, 65536),
      class: int(r, 65536),
    })),
    answers: list(6),
    authorities: list(4),
    additionals: list(4),
  });
  return edns === undefined ? base : { ...base, edns: { ...edns, extendedRcode: rcode >>> 4 } };
}

test('decode(encode(x)) == x for 2000 random valid messages', () => {
  const r = prng(0xd15c0);
  const encoder = new MessageEncoder();
  for (let i = 0; i < 2000; i++) {
    const msg = message(r);
    const wire = encoder.encode(msg);
    assert.deepEqual(decodeMessage(wire), msg, `seed iteration ${i}`);
    assert.deepEqual(encodeMessage(msg), wire);
  }
});

test('mutated packets decode or throw ERR_PARSE, and what decodes re-encodes to a fixed point', () => {
  const r = prng(0xbad5eed);
  let decoded = 0;
  let rejected = 0;
  for (let i = 0; i < 4000; i++) {
    const packet = Buffer.from(encodeMessage(message(r)));
    let mutated: Buffer;
    switch (int(r, 4)) {
      case 0: // flip a few octets
        mutated = Buffer.from(packet);
        for (let k = 0; k < 1 + int(r, 4); k++) mutated[int(r, mutated.length)] = int(r, 256);
        break;
      case 1: // truncate
        mutated = packet.subarray(0, int(r, packet.length));
        break;
      case 2: // insert random octets
        {
          const at = int(r, packet.length);
          mutated = Buffer.concat([
            packet.subarray(0, at),
            Buffer.from(bytes(r, 1 + int(r, 4))),
            packet.subarray(at),
          ]);
        }
        break;
      default: // plant a compression pointer somewhere
        mutated = Buffer.from(packet);
        {
          const at = int(r, Math.max(1, mutated.length - 1));
          mutated[at] = 0xc0 | int(r, 0x40);
          mutated[at + 1] = int(r, 256);
        }
    }
    let msg: Message;
    try {
      msg = decodeMessage(mutated);
    } catch (err) {
      assert.ok(err instanceof OutpostError, `iteration ${i}: ${String(err)}`);
      assert.equal(err.code, 'ERR_PARSE');
      rejected++;
      continue;
    }
    decoded++;
    const once = encodeMessage(msg);
    assert.deepEqual(encodeMessage(decodeMessage(once)), once, `iteration ${i}`);
  }
  // Both outcomes must actually be exercised.
  assert.ok(decoded > 100 && rejected > 100, `decoded ${decoded}, rejected ${rejected}`);
});

test('random garbage never escapes as anything but ERR_PARSE', () => {
  const r = prng(7);
  for (let i = 0; i < 3000; i++) {
    const packet = bytes(r, int(r, 300));
    if (packet.length >= 12 && r() < 0.8) {
      // keep counts small so the parser gets past the size check and into the names
      packet[4] = 0;
      packet[5] = int(r, 3);
      packet[6] = 0;
      packet[7] = int(r, 3);
      packet[8] = 0;
      packet[9] = 0;
      packet[10] = 0;
      packet[11] = int(r, 2);
    }
    try {
      decodeMessage(packet, { trailing: 'ignore' });
    } catch (err) {
      assert.ok(err instanceof OutpostError && err.code === 'ERR_PARSE', String(err));
    }
  }
});
