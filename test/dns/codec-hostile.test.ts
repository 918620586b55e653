/**
 * Hostile packets: every malformation is rejected with ERR_PARSE and a precise message, quickly,
 * and never with any other exception or a hang.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeHeader, decodeMessage } from '../../src/dns/index.js';
import { assertParseError, fromHex } from './helpers.js';

const A_RDATA = '0001 0001 0000012c 0004 c0000201';

/** A response header with the given counts. */
function header(qd: number, an: number, ns = 0, ar = 0): string {
  const h = (n: number): string => n.toString(16).padStart(4, '0');
  return `0000 8000 ${h(qd)} ${h(an)} ${h(ns)} ${h(ar)}`;
}

test('truncated headers (0..11 octets) are rejected by both entry points', () => {
  for (let n = 0; n < 12; n++) {
    assertParseError(() => decodeHeader(new Uint8Array(n)), /truncated header/);
    assertParseError(() => decodeMessage(new Uint8Array(n)), /truncated header/);
  }
});

test('section counts larger than the packet are rejected before any parsing', () => {
  assertParseError(() => decodeMessage(fromHex(header(65535, 65535, 65535, 65535))), /section counts/);
  assertParseError(() => decodeMessage(fromHex(header(1, 0) + '00 0001')), /section counts/);
  // The count fits the minimum size but the records are not there.
  // record 1 claims 11 octets of RDATA, which swallows record 2.
  assertParseError(
    () => decodeMessage(fromHex(header(0, 2) + '00 0000 0000 00000000 000b' + '00'.repeat(11))),
    /^answer record 2: truncated owner/,
  );
});

test('a pointer to itself is a loop and is rejected', () => {
  assertParseError(() => decodeMessage(fromHex(header(1, 0) + 'c00c 0001 0001')), /does not point backwards/);
});

test('a pointer back into its own label run (a two-step loop) is rejected', () => {
  // offset 12: label "a", then a pointer to 12.
  assertParseError(
    () => decodeMessage(fromHex(header(1, 0) + '0161 c00c 0001 0001')),
    /does not point backwards/,
  );
});

test('mutual pointers between two names are rejected', () => {
  // name 1 at 12: "a" + ptr->18 (forward); name 2 at 18: "b" + ptr->12.
  assertParseError(
    () => decodeMessage(fromHex(header(2, 0) + '0161 c012 0001 0001' + '0162 c00c 0001 0001')),
    /does not point backwards/,
  );
});

test('a forward pointer is rejected even when its target is a valid name', () => {
  assertParseError(
    () => decodeMessage(fromHex(header(2, 0) + 'c011 0001 0001' + '0161 00 0001 0001')),
    /offset 12 to offset 17 does not point backwards/,
  );
});

test('a pointer into the header is allowed only as far as the bytes decode as a name', () => {
  // Offset 0 holds id 0x0000 = the root name: legal and decodes as ".".
  const msg = decodeMessage(fromHex(header(1, 0) + 'c000 0001 0001'));
  assert.equal(msg.questions[0]?.name, '.');
});

test('a label of 64 octets (length octet 0x40) and the reserved 0x80 label type are rejected', () => {
  assertParseError(
    () => decodeMessage(fromHex(header(1, 0) + '40' + '61'.repeat(64) + '00 0001 0001')),
    /0x40/,
  );
  assertParseError(() => decodeMessage(fromHex(header(1, 0) + '80' + '00 0001 0001')), /0x80/);
});

test('a name of 256 octets is rejected, 255 is accepted', () => {
  const label63 = '3f' + '61'.repeat(63);
  const ok = label63.repeat(3) + '3d' + '61'.repeat(61) + '00'; // 3*64 + 62 + 1 = 255
  assert.equal(decodeMessage(fromHex(header(1, 0) + ok + '0001 0001')).questions.length, 1);
  const bad = label63.repeat(3) + '3e' + '61'.repeat(62) + '00'; // 256
  assertParseError(() => decodeMessage(fromHex(header(1, 0) + bad + '0001 0001')), /longer than 255/);
});

test('a name longer than 255 octets assembled through pointers is rejected', () => {
  const label63 = '3f' + '61'.repeat(63);
  // name 1 (offset 12): 3 labels of 63 + root = 193 octets. name 2: 63-label + ptr -> 12 = 257.
  const packet = header(2, 0) + label63.repeat(3) + '00 0001 0001' + label63 + 'c00c 0001 0001';
  assertParseError(() => decodeMessage(fromHex(packet)), /longer than 255/);
});

test('RDLENGTH beyond the end of the packet is rejected', () => {
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 0001 0001 0000012c ffff c0000201')),
    /RDLENGTH 65535 exceeds/,
  );
});

test('RDLENGTH that disagrees with the typed RDATA is rejected', () => {
  // A with RDLENGTH 5.
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 0001 0001 0000012c 0005 c000020101')),
    /A rdata must be 4/,
  );
  // MX whose exchange runs past RDLENGTH.
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 000f 0001 0000012c 0004 000a 0161 00')),
    /runs past/,
  );
  // MX whose RDATA has a spare octet after the name.
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 000f 0001 0000012c 0006 000a 0161 00 ff')),
    /rdata is 5 octets but RDLENGTH says 6/,
  );
  // TXT string length beyond RDATA; empty TXT; HINFO with one string; bad CAA tags.
  assertParseError(() => decodeMessage(fromHex(header(0, 1) + '00 0010 0001 0000012c 0002 05 61')), /TXT/);
  assertParseError(() => decodeMessage(fromHex(header(0, 1) + '00 0010 0001 0000012c 0000')), /at least one/);
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 000d 0001 0000012c 0002 01 61')),
    /HINFO os/,
  );
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 0101 0001 0000012c 0002 00 00')),
    /CAA tag is empty/,
  );
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 0101 0001 0000012c 0003 00 01 2d')),
    /non-alphanumeric/,
  );
  // SOA cut short.
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 0006 0001 0000012c 0006 00 00 00000001')),
    /^answer record 1 \(\. SOA\): truncated refresh/,
  );
});

test('OPT is only accepted once, in the additional section, owned by the root', () => {
  const opt = '00 0029 1000 00000000 0000';
  assertParseError(() => decodeMessage(fromHex(header(0, 1) + opt)), /outside the additional section/);
  assertParseError(() => decodeMessage(fromHex(header(0, 0, 0, 2) + opt + opt)), /more than one OPT/);
  assertParseError(
    () => decodeMessage(fromHex(header(0, 0, 0, 1) + '0161 00 0029 1000 00000000 0000')),
    /root/,
  );
  assertParseError(
    () => decodeMessage(fromHex(header(0, 0, 0, 1) + '00 0029 1000 00000000 0003 000a 00')),
    /option/,
  );
});

test('trailing garbage is rejected by default and ignored on request', () => {
  const packet = fromHex(header(0, 1) + '00' + A_RDATA + 'dead');
  assertParseError(() => decodeMessage(packet), /2 octets of trailing data/);
  assert.equal(decodeMessage(packet, { trailing: 'ignore' }).answers.length, 1);
});

test('a truncated pointer and a truncated record header are rejected', () => {
  assertParseError(() => decodeMessage(fromHex(header(1, 0) + '0161 c0')), /truncated|section counts/);
  assertParseError(
    () => decodeMessage(fromHex(header(0, 1) + '00 0001 0001 0000012c')),
    /truncated|section counts/,
  );
  assertParseError(
    () => decodeMessage(fromHex(header(1, 0) + '0161 c0 00 0001')),
    /pointer .* cut short|does not point|truncated/,
  );
});

test('a packet full of long pointer chains decodes (or fails) quickly', () => {
  // 1000 names, each one label followed by a pointer to the previous name: legal compression,
  // but each name is 2 octets longer than the last until the 255 limit stops it.
  const parts: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < 1000; i++) {
    offsets.push(12 + parts.length);
    const prev = offsets[i - 1];
    if (prev === undefined) parts.push(1, 0x61, 0);
    else parts.push(1, 0x61, 0xc0 | (prev >> 8), prev & 0xff);
    parts.push(0, 1, 0, 1);
  }
  const packet = Buffer.concat([fromHex(header(1000, 0)), Buffer.from(parts)]);
  const start = performance.now();
  assertParseError(() => decodeMessage(packet), /longer than 255|more than 127/);
  assert.ok(performance.now() - start < 1000);
});
