// RFC 5322 §3.4 address parsing: Appendix A vectors, obsolete forms, hostile input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode, ErrorCodes } from '../../../src/core/errors.js';
import {
  flattenAddresses,
  formatAddressList,
  formatMailbox,
  isValidMailbox,
  parseAddressList,
  parseMailbox,
  type Address,
} from '../../../src/mail/message/address.js';

function simple(list: Address[]): unknown[] {
  return list.map((a) =>
    a.kind === 'group'
      ? { group: a.name, members: a.members.map((m) => [m.name, m.address]) }
      : [a.name, a.address],
  );
}

test('A.1.1: name-addr and addr-spec', () => {
  assert.deepEqual(simple(parseAddressList('John Doe <jdoe@machine.example>')), [
    ['John Doe', 'jdoe@machine.example'],
  ]);
  assert.deepEqual(simple(parseAddressList('Mary Smith <mary@example.net>')), [
    ['Mary Smith', 'mary@example.net'],
  ]);
});

test('A.1.2: quoted display name, several addresses, a comma inside quotes', () => {
  const list = parseAddressList(
    '"Joe Q. Public" <john.q.public@example.com>, Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>',
  );
  assert.deepEqual(simple(list), [
    ['Joe Q. Public', 'john.q.public@example.com'],
    ['Mary Smith', 'mary@x.test'],
    ['', 'jdoe@example.org'],
    ['Who?', 'one@y.test'],
  ]);
  assert.deepEqual(simple(parseAddressList('"Giant; \\"Big\\" Box" <sysservices@example.net>')), [
    ['Giant; "Big" Box', 'sysservices@example.net'],
  ]);
});

test('A.1.3: groups, including an empty one', () => {
  const list = parseAddressList(
    'A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Undisclosed recipients:;',
  );
  assert.deepEqual(simple(list), [
    {
      group: 'A Group',
      members: [
        ['Ed Jones', 'c@a.test'],
        ['', 'joe@where.test'],
        ['John', 'jdoe@one.test'],
      ],
    },
    { group: 'Undisclosed recipients', members: [] },
  ]);
  assert.equal(flattenAddresses(list).length, 3);
});

test('A.5: white space and comments', () => {
  const list = parseAddressList('Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>');
  assert.deepEqual(simple(list), [['Pete', 'pete@silly.test']]);
  const group = parseAddressList(
    "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
  );
  assert.deepEqual(simple(group), [
    {
      group: 'A Group',
      members: [
        ['Chris Jones', 'c@public.example'],
        ['', 'joe@example.org'],
        ['John', 'jdoe@one.test'],
      ],
    },
  ]);
});

test('A.6: obsolete forms (route, phrase with dots, CFWS around dots, empty elements)', () => {
  assert.deepEqual(simple(parseAddressList('Joe Q. Public <john.q.public@example.com>')), [
    ['Joe Q. Public', 'john.q.public@example.com'],
  ]);
  assert.deepEqual(
    simple(parseAddressList('Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example')),
    [
      ['Mary Smith', 'mary@example.net'],
      ['', 'jdoe@test.example'],
    ],
  );
  assert.deepEqual(simple(parseAddressList('John Doe <jdoe@machine(comment).  example>')), [
    ['John Doe', 'jdoe@machine.example'],
  ]);
  assert.deepEqual(simple(parseAddressList('bob@x.test (Bob Smith)')), [['Bob Smith', 'bob@x.test']]);
});

test('quoted local parts and domain literals', () => {
  const mb = parseMailbox('"john doe"@example.com');
  assert.equal(mb.local, 'john doe');
  assert.equal(mb.address, '"john doe"@example.com');
  assert.equal(parseMailbox('<x@[192.0.2.1]>').domain, '[192.0.2.1]');
  assert.equal(parseMailbox('"a\\"b"@c.test').address, '"a\\"b"@c.test');
});

test('encoded words and UTF-8 in display names', () => {
  assert.equal(
    parseMailbox('=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>').name,
    'Keld Jørn Simonsen',
  );
  assert.equal(parseMailbox('=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>').name, 'André Pirard');
  assert.equal(parseMailbox('Ünïcödé <u@x.test>').name, 'Ünïcödé');
  assert.equal(parseMailbox('用户 <用户@例子.test>').address, '用户@例子.test');
});

test('format round trip: parse(format(x)) is x', () => {
  const list = parseAddressList('"Joe Q. Public" <j@x.test>, Group: a@b.test, "c d"@e.test;, Zoë <z@x.test>');
  for (const utf8 of [false, true]) {
    const text = formatAddressList(list, utf8);
    assert.deepEqual(simple(parseAddressList(text)), simple(list));
    if (!utf8) assert.ok(!/[^\x20-\x7e]/.test(text), text);
  }
  assert.equal(formatMailbox({ name: 'a, b', address: 'x@y.test' }), '"a, b" <x@y.test>');
  // A name that looks like an encoded word is quoted, so readers keep it as written (both ways).
  for (const utf8 of [false, true]) {
    const text = formatMailbox({ name: '=?utf-8?Q?Boss?=', address: 'x@y.test' }, utf8);
    assert.equal(parseMailbox(text).name, '=?utf-8?Q?Boss?=', text);
  }
});

test('hostile input fails with ERR_PARSE, never hangs', () => {
  const bad = [
    '"unterminated <a@b>',
    '(unterminated comment a@b',
    'a@[1.2.3.4',
    'no-domain',
    'a@',
    '<a@b.test',
    'G: a@b.test',
    'a..b@c.test',
    'x@y.test y@z.test',
    'G1: G2: a@b;;',
    '('.repeat(50) + 'a@b' + ')'.repeat(50),
    'a@b\u0001c',
  ];
  for (const input of bad) {
    assert.throws(
      () => parseAddressList(input),
      (e) => hasCode(e, ErrorCodes.PARSE),
      input,
    );
  }
  // Big but bounded: many addresses fail cleanly past the cap.
  assert.throws(
    () => parseAddressList(Array(1200).fill('a@b.test').join(',')),
    (e) => hasCode(e, ErrorCodes.PARSE),
  );
  assert.equal(parseAddressList(Array(500).fill('a@b.test').join(',')).length, 500);
});

test('RFC 5321 mailbox checks', () => {
  for (const ok of ['a@b.test', 'a.b+c@x-y.test', '"a b"@c.test', 'x@[127.0.0.1]', 'ü@ü.test'])
    assert.ok(isValidMailbox(ok), ok);
  for (const no of [
    '',
    'a',
    '@b',
    'a@',
    'a..b@c',
    'a@-b.test',
    `${'x'.repeat(65)}@b.test`,
    'a b@c.test',
    'a@b_c.test',
  ])
    assert.ok(!isValidMailbox(no), no);
});
