// Tier-1 tests of the POP3 codec: command parsing (bounds, hostile input), numbers, status
// lines with response codes, multi-line dot-stuffing, message bodies as Buffers, TOP, SASL PLAIN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseCommand,
  parseLineCount,
  parseMessageNumber,
  redactCommand,
} from '../../src/pop3/codec/command.js';
import { dotStuffBody, multiLineMessage, topOfMessage } from '../../src/pop3/codec/message.js';
import { errLine, multiLine, okLine } from '../../src/pop3/codec/reply.js';
import { POP3_LIMITS } from '../../src/pop3/limits.js';

test('parseCommand: keyword case-insensitive, arguments by single spaces, rest verbatim', () => {
  assert.deepEqual(parseCommand('retr 1'), { ok: true, verb: 'RETR', args: ['1'], rest: '1' });
  assert.deepEqual(parseCommand('STAT'), { ok: true, verb: 'STAT', args: [], rest: '' });
  const spaced = parseCommand('PASS my  secret ');
  assert.ok(spaced.ok && spaced.rest === 'my  secret ', 'a password keeps its spaces');
  assert.deepEqual(parseCommand('TOP 1 2  '), { ok: true, verb: 'TOP', args: ['1', '2'], rest: '1 2  ' });
  const pass = parseCommand('PASS a b');
  assert.ok(pass.ok && pass.rest === 'a b');
});

test('parseCommand rejects NUL, controls, empty and non-alphabetic keywords', () => {
  for (const line of [
    'RETR\0 1',
    'RETR 1\0',
    'ST\x01AT',
    '',
    ' STAT',
    'R3TR 1',
    '.',
    'X'.repeat(41),
    'STAT\x7f',
  ]) {
    assert.equal(parseCommand(line).ok, false, JSON.stringify(line));
  }
  assert.equal(parseCommand('PASS pässwörd').ok, true, 'UTF-8 passwords pass');
});

test('message numbers: positive decimals; 0 and huge are "no such message"; junk is invalid', () => {
  assert.equal(parseMessageNumber('1'), 1);
  assert.equal(parseMessageNumber('007'), 7);
  assert.equal(parseMessageNumber('0'), 0);
  assert.equal(parseMessageNumber('99999999999999999999'), POP3_LIMITS.maxMessageNumber + 1);
  assert.equal(parseMessageNumber('4294967296'), POP3_LIMITS.maxMessageNumber + 1);
  for (const bad of ['-1', '+1', '1x', '0x10', '1.0', '', ' 1', '1e3', '١'])
    assert.equal(parseMessageNumber(bad), null, bad);
  assert.equal(parseLineCount('0'), 0);
  assert.equal(parseLineCount('99999999999999999999'), POP3_LIMITS.maxTopLines);
  assert.equal(parseLineCount('-1'), null);
});

test('status lines carry RFC 2449 response codes in brackets', () => {
  assert.equal(okLine('hi'), '+OK hi');
  assert.equal(okLine(''), '+OK');
  assert.equal(errLine('IN-USE', 'locked'), '-ERR [IN-USE] locked');
  assert.equal(errLine('SYS/TEMP', 'later'), '-ERR [SYS/TEMP] later');
  assert.equal(errLine(null, 'no'), '-ERR no');
});

test('multiLine dot-stuffs lines and terminates with "."', () => {
  assert.deepEqual(multiLine('+OK', ['a', '.b', '..', '']), ['+OK', 'a', '..b', '...', '', '.']);
  assert.deepEqual(multiLine('+OK', []), ['+OK', '.']);
});

test('dotStuffBody: zero-copy without leading dots; stuffs every line start; CRLF before the terminator', () => {
  const plain = Buffer.from('a\r\nb\r\n');
  const pieces = dotStuffBody(plain);
  assert.equal(pieces[0], plain, 'the stored buffer itself, not a copy');
  assert.equal(Buffer.concat(pieces).toString(), 'a\r\nb\r\n.\r\n');
  const cases: [string, string][] = [
    ['.a\r\n', '..a\r\n.\r\n'],
    ['a\r\n.\r\n', 'a\r\n..\r\n.\r\n'],
    ['a\r\n..b\r\n.', 'a\r\n...b\r\n..\r\n.\r\n'],
    ['x', 'x\r\n.\r\n'],
    ['', '.\r\n'],
    ['a\n.b\n', 'a\n..b\n\r\n.\r\n'],
    ['.', '..\r\n.\r\n'],
  ];
  for (const [input, wire] of cases) {
    assert.equal(Buffer.concat(dotStuffBody(Buffer.from(input))).toString(), wire, JSON.stringify(input));
  }
  assert.equal(
    multiLineMessage('+OK 3 octets', Buffer.from('.a\r\n')).toString(),
    '+OK 3 octets\r\n..a\r\n.\r\n',
  );
});

test('dotStuffBody never lets a body line equal the terminator (random bodies)', () => {
  const alphabet = ['.', '\r\n', 'a', '\n', '\r'];
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const len = Math.floor(Math.random() * 20);
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(Math.random() * alphabet.length)] ?? '';
    const wire = Buffer.concat(dotStuffBody(Buffer.from(s))).toString('latin1');
    // Undo stuffing the way a client does, on CRLF lines.
    assert.ok(wire.endsWith('\r\n.\r\n') || wire === '.\r\n', JSON.stringify(s));
    const lines = wire.slice(0, -3).split('\n');
    const body = lines.slice(0, -1);
    for (const l of body)
      assert.notEqual(l.replace(/\r$/, ''), '.', `premature terminator for ${JSON.stringify(s)}`);
    const unstuffed = wire
      .slice(0, -3)
      .split('\n')
      .map((l) => (l.startsWith('.') ? l.slice(1) : l))
      .join('\n');
    const expected = s.endsWith('\r\n') || s === '' ? s : `${s}\r\n`;
    assert.equal(unstuffed, expected, JSON.stringify(s));
  }
});

test('topOfMessage: header, blank line, first n body lines; all header when no blank line', () => {
  const m = Buffer.from('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n');
  assert.equal(topOfMessage(m, 0).toString(), 'A: 1\r\nB: 2\r\n\r\n');
  assert.equal(topOfMessage(m, 2).toString(), 'A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n');
  assert.equal(topOfMessage(m, 1000).toString(), m.toString());
  assert.equal(topOfMessage(Buffer.from('A: 1\r\n'), 3).toString(), 'A: 1\r\n');
  assert.equal(topOfMessage(Buffer.from('\r\nbody\r\nmore\r\n'), 1).toString(), '\r\nbody\r\n');
});

test('redactCommand hides PASS and AUTH initial responses only', () => {
  assert.equal(redactCommand('PASS hunter2'), 'PASS ****');
  assert.equal(redactCommand('pass'), 'pass ****');
  assert.equal(redactCommand('AUTH PLAIN AGFAYg=='), 'AUTH PLAIN ****');
  assert.equal(redactCommand('AUTH PLAIN'), 'AUTH PLAIN');
  assert.equal(redactCommand('USER alice'), 'USER alice');
  assert.equal(redactCommand('PASSWORD x'), 'PASSWORD x');
});
