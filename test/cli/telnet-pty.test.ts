// `outpost telnet` on a real pseudo-terminal (python3's pty, test/telnet/fixtures/pty-bridge.py)
// against a scripted server that checks the bytes it gets: raw mode for the session, NAWS with
// the window's size at start and after a resize (SIGWINCH), keys sent at once in character
// mode with CR as CR NUL, local editing in line mode (DEL, ^W, ^C as IAC IP), the escape
// character's telnet> prompt (status, send ayt, mode, quit), and the terminal restored after
// quit, after the server hangs up, and after SIGTERM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AYT,
  DO,
  ECHO,
  IAC,
  IP,
  NAWS,
  SB,
  SE,
  SGA,
  ScriptedServer,
  TTYPE,
  WILL,
} from '../telnet/helpers/scripted-server.js';
import { PtySession } from '../telnet/helpers/pty.js';
import { bin } from './helpers.js';

const COOKED = { icanon: true, echo: true, isig: true };
const RAW = { icanon: false, echo: false, isig: false };

function telnetOnTerminal(port: number, rows = 30, columns = 100): PtySession {
  return new PtySession(rows, columns, [process.execPath, bin, 'telnet', '127.0.0.1', String(port)], {
    TERM: 'xterm',
    OUTPOST_DATA: '/nonexistent',
  });
}

test('character mode: raw terminal, NAWS at start and on resize, keys at once, the telnet> prompt, restored on quit', async () => {
  const server = await ScriptedServer.start();
  server.onConnection = (s) => {
    s.write(Buffer.of(IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, NAWS, IAC, DO, TTYPE));
    s.write('Welcome\r\n');
  };
  const pty = telnetOnTerminal(server.port);
  try {
    await pty.waitFor('Welcome');
    await server.waitFor(Buffer.of(IAC, SB, NAWS, 0, 100, 0, 30, IAC, SE));
    // Answers in the order asked; NAWS's size follows its WILL at once.
    assert.deepEqual(
      server.received,
      Buffer.of(
        ...[IAC, DO, ECHO, IAC, DO, SGA, IAC, WILL, NAWS],
        ...[IAC, SB, NAWS, 0, 100, 0, 30, IAC, SE],
        ...[IAC, WILL, TTYPE],
      ),
    );
    assert.deepEqual(await pty.flags(), RAW);

    pty.type('ls\r');
    await server.waitFor('ls\r\0');
    // The server echoes, so the client does not: nothing typed appears locally.
    assert.doesNotMatch(pty.output, /ls/);

    pty.resize(40, 120);
    await server.waitFor(Buffer.of(IAC, SB, NAWS, 0, 120, 0, 40, IAC, SE));

    pty.type('\x1d');
    let at = await pty.waitFor('telnet> ');
    pty.type('status\r');
    at = await pty.waitFor(/Operating in character mode\.[\s\S]*Escape character is '\^]'/, at);
    await pty.waitFor(`Connected to 127.0.0.1 (127.0.0.1) port ${server.port}.`);

    pty.type('\x1dsend ayt\r');
    await server.waitFor(Buffer.of(IAC, AYT));

    pty.type('\x1d');
    at = await pty.waitFor('telnet> ', at);
    pty.type('?\r');
    await pty.waitFor(/Commands may be abbreviated[\s\S]*mode +line/, at);

    pty.type('\x1dquit\r');
    const end = await pty.exited();
    assert.equal(end.exit, 0);
    assert.match(pty.output, /Connection closed\./);
    assert.deepEqual(end.attrs, COOKED);
  } finally {
    pty.kill();
    await server.close();
  }
});

test('line mode: local editing, lines with CR LF, ^C as IAC IP; restored when the server hangs up', async () => {
  const server = await ScriptedServer.start();
  server.onConnection = (s) => s.write('220 ready\r\n');
  const pty = telnetOnTerminal(server.port);
  try {
    await pty.waitFor('220 ready');
    assert.deepEqual(await pty.flags(), RAW);
    pty.type('helo\x7f\x7flo wor\x17world\r');
    await server.waitFor('helo world\r\n');
    // The line was echoed locally as it was typed, rub-outs included (the server does not echo).
    await pty.waitFor('helo\b \b\b \blo wor\b \b\b \b\b \bworld');
    assert.deepEqual(server.received, Buffer.from('helo world\r\n'));
    pty.type('abc\x03');
    await server.waitFor(Buffer.of(IAC, IP));
    assert.deepEqual(server.received, Buffer.concat([Buffer.from('helo world\r\n'), Buffer.of(IAC, IP)]));

    // mode character asks the server to echo (DO ECHO, DO SGA).
    pty.type('\x1dmode character\r');
    await server.waitFor(Buffer.of(IAC, DO, ECHO, IAC, DO, SGA));

    server.hangUp();
    const end = await pty.exited();
    assert.equal(end.exit, 0);
    assert.match(pty.output, /Connection closed by foreign host\./);
    assert.deepEqual(end.attrs, COOKED);
  } finally {
    pty.kill();
    await server.close();
  }
});

test('SIGTERM during a raw session: the terminal is restored and the exit tells the signal', async () => {
  const server = await ScriptedServer.start();
  server.onConnection = (s) => s.write(Buffer.concat([Buffer.of(IAC, WILL, ECHO), Buffer.from('hi\r\n')]));
  const pty = telnetOnTerminal(server.port);
  try {
    await pty.waitFor('hi');
    await server.waitFor(Buffer.of(IAC, DO, ECHO));
    assert.deepEqual(await pty.flags(), RAW);
    pty.signal(15);
    const end = await pty.exited();
    assert.equal(end.signal, 15);
    assert.deepEqual(end.attrs, COOKED);
  } finally {
    pty.kill();
    await server.close();
  }
});
