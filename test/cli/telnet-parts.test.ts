// The pure parts of `outpost telnet`: the escape character, ports and service names, --dns and
// --environ parsing, the line editor of line mode and the telnet> prompt, and the prompt's
// commands with their abbreviations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  escapeName,
  parseDnsServer,
  parseEnviron,
  parseEscape,
  parsePort,
} from '../../src/cli/telnet-args.js';
import { LineEditor } from '../../src/cli/telnet-line-editor.js';
import { parsePromptCommand } from '../../src/cli/telnet-prompt.js';

test('escape character: ^] by default notation, ^X, one character, none; named back', () => {
  assert.equal(parseEscape('^]'), 0x1d);
  assert.equal(parseEscape('^x'), 0x18);
  assert.equal(parseEscape('^?'), 0x7f);
  assert.equal(parseEscape('~'), 0x7e);
  assert.equal(parseEscape('none'), null);
  assert.throws(() => parseEscape('ab'), /escape character must be/);
  assert.equal(escapeName(0x1d), '^]');
  assert.equal(escapeName(null), 'none');
});

test('ports: numbers, service names, 23 by default; out of range refused', () => {
  assert.equal(parsePort(undefined), 23);
  assert.equal(parsePort('25'), 25);
  assert.equal(parsePort('smtp'), 25);
  assert.equal(parsePort('HTTP'), 80);
  assert.throws(() => parsePort('0'), /invalid port "0"/);
  assert.throws(() => parsePort('65536'), /invalid port/);
  assert.throws(() => parsePort('25x'), /invalid port/);
});

test('--dns: HOST:PORT, [V6]:PORT, a bare host on 53', () => {
  assert.deepEqual(parseDnsServer('127.0.0.1:10053'), { host: '127.0.0.1', port: 10053 });
  assert.deepEqual(parseDnsServer('[::1]:5353'), { host: '::1', port: 5353 });
  assert.deepEqual(parseDnsServer('ns.test'), { host: 'ns.test', port: 53 });
  assert.throws(() => parseDnsServer('a:b:c'), /--dns wants HOST:PORT/);
});

test("--environ: names take this process's values, NAME=VALUE gives one, unknown names are left out", () => {
  const env = { USER: 'alice', LANG: 'C' };
  assert.deepEqual(
    [...parseEnviron(['USER,LANG', 'DISPLAY=:0', 'MISSING'], env)],
    [
      ['USER', 'alice'],
      ['LANG', 'C'],
      ['DISPLAY', ':0'],
    ],
  );
  assert.throws(() => parseEnviron(['1BAD'], env), /invalid variable name "1BAD"/);
});

test('line editor: echo, rub-out, ^U, ^W, UTF-8, arrows ignored, CR ends the line', () => {
  const e = new LineEditor(0x1d);
  const a = e.feed(Buffer.from('helo\x7f\x7flo wor\x17world'));
  assert.equal(a.echo, 'helo\b \b\b \blo wor\b \b\b \b\b \bworld');
  assert.deepEqual(a.events, []);
  assert.equal(e.text, 'helo world');
  const b = e.feed(Buffer.from('\x1b[D\x1b[A!\r'));
  assert.equal(b.echo, '!\r\n');
  assert.deepEqual(b.events, [{ kind: 'line', line: Buffer.from('helo world!') }]);
  const c = e.feed(Buffer.from('crêpe\x7f\x15x\r\n'));
  assert.deepEqual(c.events, [{ kind: 'line', line: Buffer.from('x') }]);
  assert.equal(c.echo, 'crêpe\b \b' + '\b \b'.repeat(4) + 'x\r\n');
});

test('line editor: ^C interrupts, ^D on an empty line is eof, the escape character stops and hands back the rest', () => {
  const e = new LineEditor(0x1d);
  assert.deepEqual(e.feed(Buffer.from('abc\x03')).events, [{ kind: 'interrupt' }]);
  assert.equal(e.text, '');
  assert.deepEqual(e.feed(Buffer.from('\x04')).events, [{ kind: 'eof' }]);
  assert.deepEqual(e.feed(Buffer.from('x\x04')).events, []);
  const out = e.feed(Buffer.from('y\x1dstatus\r'));
  assert.deepEqual(out.events, [{ kind: 'escape' }]);
  assert.deepEqual(out.rest, Buffer.from('status\r'));
  assert.equal(e.text, 'xy');
});

test('telnet> commands: abbreviations, send and mode arguments, empty resumes, errors say what is wrong', () => {
  assert.deepEqual(parsePromptCommand(''), { kind: 'resume' });
  assert.deepEqual(parsePromptCommand('q'), { kind: 'quit' });
  assert.deepEqual(parsePromptCommand('cl'), { kind: 'close' });
  assert.deepEqual(parsePromptCommand('st'), { kind: 'status' });
  assert.deepEqual(parsePromptCommand('?'), { kind: 'help' });
  assert.deepEqual(parsePromptCommand('send AYT'), { kind: 'send', what: 'ayt' });
  assert.deepEqual(parsePromptCommand('se synch'), { kind: 'send', what: 'synch' });
  assert.deepEqual(parsePromptCommand('mode c'), { kind: 'mode', mode: 'character' });
  assert.deepEqual(parsePromptCommand('mode line'), { kind: 'mode', mode: 'line' });
  assert.deepEqual(parsePromptCommand('send'), {
    kind: 'error',
    message: 'usage: send ayt|brk|ip|ao|ec|el|nop|ga|synch',
  });
  assert.deepEqual(parsePromptCommand('mode fast'), { kind: 'error', message: 'usage: mode line|character' });
  assert.deepEqual(parsePromptCommand('s'), {
    kind: 'error',
    message: '?Ambiguous command "s" (? for help)',
  });
  assert.deepEqual(parsePromptCommand('open x'), {
    kind: 'error',
    message: '?Invalid command "open" (? for help)',
  });
});
