// Modified UTF-7 (RFC 3501 §5.1.3): the RFC's example, round trips, and every invalid form a
// strict decoder refuses; UTF-8 names for rev2 clients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeMailboxName,
  decodeModifiedUtf7,
  encodeMailboxName,
  encodeModifiedUtf7,
} from '../../../src/imap/codec/mailbox-name.js';
import { prng } from '../../helpers/prng.js';

function decoded(wire: string): string {
  const r = decodeModifiedUtf7(wire);
  if (!r.ok) assert.fail(`${wire}: ${r.reason}`);
  return r.name;
}

test('RFC 3501 §5.1.3 example and common names', () => {
  assert.equal(decoded('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
  assert.equal(encodeModifiedUtf7('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
  assert.equal(encodeModifiedUtf7('Tom & Jerry'), 'Tom &- Jerry');
  assert.equal(decoded('Tom &- Jerry'), 'Tom & Jerry');
  assert.equal(encodeModifiedUtf7('Entwürfe'), 'Entw&APw-rfe');
  assert.equal(encodeModifiedUtf7('😀'), '&2D3eAA-', 'astral characters as surrogate pairs');
  assert.equal(decoded('&2D3eAA-'), '😀');
});

test('invalid modified UTF-7 is refused with a reason', () => {
  const invalid: [string, RegExp][] = [
    ['caf\u00e9', /non-ASCII/],
    ['a\tb', /control/],
    ['&ZeVnLIqe', /unterminated/],
    ['&Ze/nLIqe-', /invalid modified base64/],
    ['&ZeVnLIqe=-', /invalid modified base64/],
    ['&AGE-', /printable ASCII encoded/],
    ['&ZeV-', /padding/],
    ['&U,BTFx-', /padding/],
    ['&ZeVnLIq-', /padding/],
    ['&ZeVnLIqe-&U,BTFw-', /adjacent/],
    ['&2D0-', /surrogate/],
    ['&3gA-', /surrogate/],
    ['&2D3YPQ-', /surrogate/],
  ];
  for (const [wire, reason] of invalid) {
    const r = decodeModifiedUtf7(wire);
    if (r.ok) assert.fail(`${wire} decoded to ${r.name}`);
    assert.match(r.reason, reason, wire);
  }
});

test('random Unicode names round trip, and every encoding decodes strictly', () => {
  const rand = prng(7);
  const pool = ['a', 'Z', '&', '-', '/', ' ', '~', 'é', 'ß', '日', '本', '😀', '\u0100', '\uffef'];
  for (let i = 0; i < 2000; i++) {
    let name = '';
    const len = Math.floor(rand() * 12);
    for (let k = 0; k < len; k++) name += pool[Math.floor(rand() * pool.length)]!;
    const wire = encodeModifiedUtf7(name);
    assert.match(wire, /^[\x20-\x7e]*$/, 'the encoding is printable ASCII');
    assert.equal(decoded(wire), name);
  }
});

test('UTF-8 names for rev2 clients; INBOX canonical in both', () => {
  assert.deepEqual(decodeMailboxName('日本語/&', true), { ok: true, name: '日本語/&' });
  assert.deepEqual(decodeMailboxName('inbox', false), { ok: true, name: 'INBOX' });
  assert.deepEqual(decodeMailboxName('InBoX', true), { ok: true, name: 'INBOX' });
  assert.equal(encodeMailboxName('日本語', true), '日本語');
  assert.equal(encodeMailboxName('日本語', false), '&ZeVnLIqe-');
});
