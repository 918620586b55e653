// Section numbers to parts (RFC 9051 §6.4.5): the RFC's own example tree, and numbers that name nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partAt, type BodyStructure } from '../../../src/mail/message/body-structure.js';
import { EMPTY_ENVELOPE } from '../../../src/mail/message/envelope.js';

const range = { headerStart: 0, bodyStart: 0, bodyEnd: 0 };
const ext = { disposition: null, language: null, location: null };

function leaf(type: string, subtype: string): BodyStructure {
  const fields = {
    ...ext,
    type,
    subtype,
    params: null,
    id: null,
    description: null,
    encoding: '7BIT',
    size: 0,
    md5: null,
    range,
  };
  return type === 'TEXT' ? { ...fields, kind: 'text', lines: 0 } : { ...fields, kind: 'basic' };
}
function multi(subtype: string, parts: BodyStructure[]): BodyStructure {
  return { ...ext, kind: 'multipart', subtype, parts, params: null, range };
}
function message(body: BodyStructure): BodyStructure {
  const fields = {
    ...ext,
    type: 'MESSAGE',
    subtype: 'RFC822',
    params: null,
    id: null,
    description: null,
    encoding: '7BIT',
    size: 0,
    md5: null,
    range,
  };
  return { ...fields, kind: 'message', envelope: EMPTY_ENVELOPE, body, lines: 0 };
}

// The example of RFC 9051 §6.4.5 (FETCH), built as data.
const gif = leaf('IMAGE', 'GIF');
const inner1 = leaf('TEXT', 'PLAIN');
const alt1 = leaf('TEXT', 'PLAIN');
const alt2 = leaf('TEXT', 'RICHTEXT');
const alternative = multi('ALTERNATIVE', [alt1, alt2]);
const nested42 = multi('MIXED', [inner1, alternative]);
const msg42 = message(nested42);
const part4 = multi('MIXED', [gif, msg42]);
const p31 = leaf('TEXT', 'PLAIN');
const p32 = leaf('APPLICATION', 'OCTET-STREAM');
const msg3 = message(multi('MIXED', [p31, p32]));
const p1 = leaf('TEXT', 'PLAIN');
const p2 = leaf('APPLICATION', 'OCTET-STREAM');
const root = multi('MIXED', [p1, p2, msg3, part4]);

test('the RFC 9051 §6.4.5 example: every listed section names its part', () => {
  assert.equal(partAt(root, []), root);
  assert.equal(partAt(root, [1]), p1);
  assert.equal(partAt(root, [2]), p2);
  assert.equal(partAt(root, [3]), msg3);
  assert.equal(partAt(root, [3, 1]), p31);
  assert.equal(partAt(root, [3, 2]), p32);
  assert.equal(partAt(root, [4]), part4);
  assert.equal(partAt(root, [4, 1]), gif);
  assert.equal(partAt(root, [4, 2]), msg42);
  assert.equal(partAt(root, [4, 2, 1]), inner1);
  assert.equal(partAt(root, [4, 2, 2]), alternative);
  assert.equal(partAt(root, [4, 2, 2, 1]), alt1);
  assert.equal(partAt(root, [4, 2, 2, 2]), alt2);
});

test('numbers that name nothing give null', () => {
  assert.equal(partAt(root, [0]), null);
  assert.equal(partAt(root, [5]), null);
  assert.equal(partAt(root, [1, 1]), null, 'a text part has no sub-parts');
  assert.equal(partAt(root, [4, 1, 1]), null);
  assert.equal(partAt(root, [3, 3]), null);
});

test('a non-multipart message has only part 1; an encapsulated non-multipart message too', () => {
  const text = leaf('TEXT', 'PLAIN');
  assert.equal(partAt(text, [1]), text);
  assert.equal(partAt(text, [2]), null);
  assert.equal(partAt(text, [1, 1]), null);
  const inner = leaf('TEXT', 'PLAIN');
  const wrapped = message(inner);
  const outer = multi('MIXED', [wrapped]);
  assert.equal(partAt(outer, [1, 1]), inner);
  assert.equal(partAt(outer, [1, 2]), null);
  assert.equal(partAt(wrapped, [1]), wrapped, 'a top-level message/rfc822 body is part 1');
  assert.equal(partAt(wrapped, [1, 1]), inner);
});
