/**
 * Pure parts of the SMTP server: command/path/parameter parsing (with hostile inputs), the
 * bare-newline detector across BDAT chunk boundaries, trace headers, transcript
 * redaction, hop counting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseBdatArgs,
  parseMailArgs,
  parsePath,
  parseRcptArgs,
  splitCommand,
} from '../../../src/mail/smtp/codec/command.js';
import { BareNewlineDetector } from '../../../src/mail/smtp/data-reader.js';
import { receivedHeader, returnPathHeader, withProtocol } from '../../../src/mail/smtp/trace.js';
import { redactSmtpLine } from '../../../src/mail/smtp/server.js';
import { countReceived } from '../../../src/mail/service/hops.js';

test('splitCommand upper-cases the verb only', () => {
  assert.deepEqual(splitCommand('mail FROM:<a@b>'), { verb: 'MAIL', args: 'FROM:<a@b>' });
  assert.deepEqual(splitCommand('QUIT'), { verb: 'QUIT', args: '' });
});

test('paths: null, postmaster, quoted, literal, source route, UTF-8; malformed ones refused', () => {
  assert.deepEqual(parsePath('<>')?.path, { kind: 'null' });
  assert.deepEqual(parsePath('<Postmaster>')?.path, { kind: 'postmaster' });
  const q = parsePath('<"john doe"@example.test> SIZE=1');
  assert.equal(q?.path.kind === 'mailbox' && q.path.mailbox.local, '"john doe"');
  assert.equal(q?.rest, ' SIZE=1');
  const unneeded = parsePath('<"bob"@example.test>');
  assert.equal(unneeded?.path.kind === 'mailbox' && unneeded.path.mailbox.address, 'bob@example.test');
  const gt = parsePath('<"a>b"@example.test>');
  assert.equal(gt?.path.kind === 'mailbox' && gt.path.mailbox.local, '"a>b"');
  const lit = parsePath('<x@[127.0.0.1]>');
  assert.ok(lit?.path.kind === 'mailbox' && lit.path.mailbox.literal);
  const route = parsePath('<@a.test,@b.test:c@d.test>');
  assert.deepEqual(route?.path.kind === 'mailbox' && route.path.sourceRoute, ['a.test', 'b.test']);
  const utf8 = parsePath('<jörg@exämple.test>');
  assert.ok(utf8?.path.kind === 'mailbox' && utf8.path.mailbox.utf8);
  for (const bad of [
    'a@b.test',
    '<a@b.test',
    '<a@@b.test>',
    '<@a.test:>',
    '<a b@c.test>',
    '<a@b..test>',
    '<a@-b.test>',
    '<"unterminated@b.test>',
    '<a@b.test>x',
    `<${'a'.repeat(65)}@b.test>`,
    `<a@${'b'.repeat(64)}.test>`,
    '<.a@b.test>',
    '<a.@b.test>',
    '<a@b.test\0>',
    '<"a\0"@b.test>',
  ]) {
    assert.equal(parsePath(bad), null, bad);
  }
});

test('MAIL/RCPT parameters', () => {
  const m = parseMailArgs('FROM:<a@b.test> size=100 body=8bitmime SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=<>');
  assert.ok(m.ok);
  assert.deepEqual(m.value.params, {
    smtputf8: true,
    size: 100,
    body: '8BITMIME',
    ret: 'HDRS',
    envId: 'QQ+2B1',
    auth: '<>',
  });
  assert.ok(parseMailArgs('FROM: <a@b.test>').ok, 'space after the colon tolerated');
  const code = (r: ReturnType<typeof parseMailArgs> | ReturnType<typeof parseRcptArgs>): string =>
    r.ok ? 'ok' : `${r.reply.code} ${r.reply.enhanced ?? ''}`;
  assert.equal(code(parseMailArgs('FROM:<a@b.test> BODY=BINARYMIME')), '555 5.5.4');
  assert.equal(code(parseMailArgs('FROM:<a@b.test> XFOO')), '555 5.5.4');
  assert.equal(code(parseMailArgs('FROM:<a@b.test> SIZE=-1')), '501 5.5.4');
  assert.equal(code(parseMailArgs('FROM:<a@b.test> SIZE=1 SIZE=2')), '501 5.5.4');
  assert.equal(code(parseMailArgs('FROM:<a@b.test> SMTPUTF8=yes')), '501 5.5.4');
  assert.equal(code(parseMailArgs('FROM:<a@b.test> ENVID=a+zz')), '501 5.5.4');
  assert.equal(code(parseMailArgs('FROM:<a@b.test> =x')), '501 5.5.4');
  assert.equal(code(parseMailArgs('FROM:<postmaster>')), '501 5.1.7');
  assert.equal(code(parseMailArgs('TO:<a@b.test>')), '501 5.5.4');
  const r = parseRcptArgs('TO:<a@b.test> NOTIFY=success,delay ORCPT=rfc822;a+40b.test');
  assert.ok(r.ok);
  assert.deepEqual(r.value.params, { notify: ['SUCCESS', 'DELAY'], orcpt: 'rfc822;a+40b.test' });
  assert.equal(code(parseRcptArgs('TO:<a@b.test> NOTIFY=NEVER,DELAY')), '501 5.5.4');
  assert.equal(code(parseRcptArgs('TO:<a@b.test> NOTIFY=SUCCESS,SUCCESS')), '501 5.5.4');
  assert.equal(code(parseRcptArgs('TO:<a@b.test> ORCPT=nope')), '501 5.5.4');
  assert.equal(code(parseRcptArgs('TO:<>')), '501 5.1.3');
  assert.equal(code(parseRcptArgs('TO:<a@b.test> SIZE=1')), '555 5.5.4');
});

test('parsers never throw on random input', () => {
  let seed = 42;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = '<>@:,."\\ =+;[]aZ09\u00e9\0\t-';
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const n = Math.floor(rnd() * 40);
    for (let k = 0; k < n; k++) s += alphabet[Math.floor(rnd() * alphabet.length)] ?? '';
    parseMailArgs(`FROM:${s}`);
    parseRcptArgs(`TO:${s}`);
    parseBdatArgs(s);
  }
});

test('BDAT arguments', () => {
  assert.deepEqual(parseBdatArgs('100'), { size: 100, last: false });
  assert.deepEqual(parseBdatArgs('0 last'), { size: 0, last: true });
  for (const bad of ['', '-1', '1 LAST now', 'x', '1e3', '9999999999999999'])
    assert.equal(parseBdatArgs(bad), null, bad);
});

test('bare CR/LF detection across chunk boundaries', () => {
  const check = (...chunks: string[]): boolean => {
    const d = new BareNewlineDetector();
    for (const c of chunks) d.push(Buffer.from(c, 'latin1'));
    return d.finish();
  };
  assert.equal(check('a\r\nb\r\n'), false);
  assert.equal(check('a\r', '\nb\r\n'), false);
  assert.equal(check('a\r', '', '\n'), false);
  assert.equal(check('a\nb'), true);
  assert.equal(check('a\rb\r\n'), true);
  assert.equal(check('a\r', 'b'), true);
  assert.equal(check('a\r'), true);
  assert.equal(check('\n'), true);
  assert.equal(check('x\r\n', '\n'), true);
});

test('trace headers and protocol names (RFC 3848)', () => {
  assert.equal(withProtocol({ esmtp: false, tls: true, auth: true, utf8: false }), 'SMTP');
  assert.equal(withProtocol({ esmtp: true, tls: true, auth: true, utf8: false }), 'ESMTPSA');
  assert.equal(withProtocol({ esmtp: true, tls: false, auth: false, utf8: true }), 'UTF8SMTP');
  const h = receivedHeader({
    helo: 'client.test',
    remoteAddress: '::1',
    by: 'mx.test',
    protocol: 'ESMTPS',
    id: 'abc',
    for: 'bob@mx.test',
    tls: 'TLSv1.3',
    date: new Date(Date.UTC(2026, 10, 21, 16, 9, 41)),
  });
  assert.equal(
    h,
    'Received: from client.test ([IPv6:::1])\r\n\tby mx.test with ESMTPS (TLSv1.3) id abc\r\n\tfor <bob@mx.test>;\r\n\tSat, 21 Nov 2026 16:09:41 +0000\r\n',
  );
  assert.equal(returnPathHeader(''), 'Return-Path: <>\r\n');
  assert.equal(
    countReceived(Buffer.from(`${h}${h}received: x\r\nSubject: s\r\n\r\nReceived: in body\r\n`)),
    3,
  );
});

test('transcript redaction of AUTH initial responses', () => {
  assert.equal(redactSmtpLine('AUTH PLAIN AGJvYgBwdw=='), 'AUTH PLAIN ****');
  assert.equal(redactSmtpLine('auth login Ym9i'), 'auth login ****');
  assert.equal(redactSmtpLine('AUTH LOGIN'), 'AUTH LOGIN');
  assert.equal(redactSmtpLine('MAIL FROM:<a@b>'), 'MAIL FROM:<a@b>');
});
