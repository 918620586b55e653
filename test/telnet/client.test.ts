// The Telnet client's protocol engine against a scripted server over real TCP: every option
// the client takes part in (ECHO, SGA, BINARY, TERMINAL-TYPE, NAWS, NEW-ENVIRON), unknown
// options, repeated requests that must get no reply, sub-negotiations, IAC in data both ways,
// the server's AYT and DM, the commands the client sends, window changes, and the transcript
// with negotiation decoded. Every byte the client sends is checked (scripted-server.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribeTranscript, transcriptTap, type TranscriptEntry } from '../../src/core/transcript.js';
import {
  connectTcp,
  TelnetClient,
  type TelnetClientOptions,
  type WindowSize,
} from '../../src/telnet/index.js';
import { eventually } from '../helpers/eventually.js';
import {
  BINARY,
  DO,
  DONT,
  ECHO,
  IAC,
  NAWS,
  NEW_ENVIRON,
  SB,
  SE,
  SGA,
  ScriptedServer,
  TTYPE,
  WILL,
  WONT,
} from './helpers/scripted-server.js';

async function session(options: TelnetClientOptions = {}): Promise<{
  server: ScriptedServer;
  client: TelnetClient;
  shown: () => Buffer;
  close: () => Promise<void>;
}> {
  const server = await ScriptedServer.start();
  const socket = await connectTcp('127.0.0.1', [{ address: '127.0.0.1', family: 4 }], server.port);
  const client = new TelnetClient(socket, options);
  client.start();
  const data: Buffer[] = [];
  client.on('data', (d) => data.push(d));
  return {
    server,
    client,
    shown: () => Buffer.concat(data),
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

test('every option: accepted ones get their positive answer, refused ones WONT/DONT, in order', async () => {
  let size: WindowSize = { columns: 80, rows: 24 };
  const s = await session({ terminalType: 'xterm-256color', windowSize: () => size });
  try {
    const answer = await s.server.exchange(
      Buffer.of(
        ...[IAC, DO, TTYPE],
        ...[IAC, DO, NAWS],
        ...[IAC, WILL, ECHO],
        ...[IAC, WILL, SGA],
        ...[IAC, DO, SGA],
        ...[IAC, DO, BINARY],
        ...[IAC, WILL, BINARY],
        ...[IAC, DO, NEW_ENVIRON], // refused: no --environ
        ...[IAC, DO, ECHO], // the client never echoes
        ...[IAC, DO, 200], // unknown to us
        ...[IAC, WILL, 201],
        ...[IAC, WILL, 34], // LINEMODE: refused
      ),
    );
    assert.deepEqual(
      answer,
      Buffer.of(
        ...[IAC, WILL, TTYPE],
        ...[IAC, WILL, NAWS],
        ...[IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE],
        ...[IAC, DO, ECHO],
        ...[IAC, DO, SGA],
        ...[IAC, WILL, SGA],
        ...[IAC, WILL, BINARY],
        ...[IAC, DO, BINARY],
        ...[IAC, WONT, NEW_ENVIRON],
        ...[IAC, WONT, ECHO],
        ...[IAC, WONT, 200],
        ...[IAC, DONT, 201],
        ...[IAC, DONT, 34],
      ),
    );
    assert.equal(s.client.serverEchoes, true);
    assert.equal(s.client.sendsBinary, true);

    // Repeated requests for the state already agreed get no reply at all (RFC 1143, RFC 854).
    assert.deepEqual(
      await s.server.exchange(
        Buffer.of(
          ...[IAC, DO, TTYPE],
          ...[IAC, WILL, ECHO],
          ...[IAC, DO, NAWS],
          ...[IAC, WONT, 201],
          ...[IAC, DONT, 200],
        ),
      ),
      Buffer.alloc(0),
    );

    // TERMINAL-TYPE SEND gets IS and the TERM value (RFC 1091).
    assert.deepEqual(
      await s.server.exchange(Buffer.of(IAC, SB, TTYPE, 1, IAC, SE)),
      Buffer.concat([Buffer.of(IAC, SB, TTYPE, 0), Buffer.from('xterm-256color'), Buffer.of(IAC, SE)]),
    );

    // A new window size goes out on the next change (SIGWINCH in the CLI), 255 escaped as IAC IAC.
    size = { columns: 255, rows: 50 };
    s.client.windowChanged();
    assert.deepEqual(await s.server.exchange(), Buffer.of(IAC, SB, NAWS, 0, 255, 255, 0, 50, IAC, SE));

    // The server turns ECHO off: DONT is answered once; a second WONT is not.
    assert.deepEqual(await s.server.exchange(Buffer.of(IAC, WONT, ECHO)), Buffer.of(IAC, DONT, ECHO));
    assert.deepEqual(await s.server.exchange(Buffer.of(IAC, WONT, ECHO)), Buffer.alloc(0));
    assert.equal(s.client.serverEchoes, false);
  } finally {
    await s.close();
  }
});

test('NAWS and TERMINAL-TYPE are refused when there is no window and no terminal type', async () => {
  const s = await session();
  try {
    assert.deepEqual(
      await s.server.exchange(Buffer.of(IAC, DO, NAWS, IAC, DO, TTYPE, IAC, SB, TTYPE, 1, IAC, SE)),
      Buffer.of(IAC, WONT, NAWS, IAC, WONT, TTYPE),
    );
  } finally {
    await s.close();
  }
});

test('NEW-ENVIRON with allowed variables: IS gives only those; USER is never sent unless allowed', async () => {
  const s = await session({ environ: new Map([['LANG', 'C.UTF-8']]) });
  try {
    assert.deepEqual(
      await s.server.exchange(Buffer.of(IAC, DO, NEW_ENVIRON)),
      Buffer.of(IAC, WILL, NEW_ENVIRON),
    );
    // SEND VAR USER USERVAR LANG: USER named without a value (undefined), LANG with its value.
    const send = Buffer.concat([
      Buffer.of(IAC, SB, NEW_ENVIRON, 1, 0),
      Buffer.from('USER'),
      Buffer.of(3),
      Buffer.from('LANG'),
      Buffer.of(IAC, SE),
    ]);
    assert.deepEqual(
      await s.server.exchange(send),
      Buffer.concat([
        Buffer.of(IAC, SB, NEW_ENVIRON, 0, 0),
        Buffer.from('USER'),
        Buffer.of(3),
        Buffer.from('LANG'),
        Buffer.of(1),
        Buffer.from('C.UTF-8'),
        Buffer.of(IAC, SE),
      ]),
    );
    // An empty SEND asks for everything we may give.
    assert.deepEqual(
      await s.server.exchange(Buffer.of(IAC, SB, NEW_ENVIRON, 1, IAC, SE)),
      Buffer.concat([
        Buffer.of(IAC, SB, NEW_ENVIRON, 0, 3),
        Buffer.from('LANG'),
        Buffer.of(1),
        Buffer.from('C.UTF-8'),
        Buffer.of(IAC, SE),
      ]),
    );
  } finally {
    await s.close();
  }
});

test('data: IAC IAC from the server is one 0xFF; AYT gets visible evidence; DM and NOP are no data', async () => {
  const s = await session();
  try {
    assert.deepEqual(
      await s.server.exchange(
        Buffer.of(0x61, IAC, IAC, 0x62, IAC, 241, 0x63, IAC, 242, 0x0d, 0x00, 0x64, IAC, 246),
      ),
      Buffer.alloc(0),
    );
    assert.deepEqual(
      s.shown(),
      Buffer.concat([
        Buffer.of(0x61, 0xff, 0x62, 0x63, 0x0d, 0x64),
        Buffer.from('\r\n[outpost telnet: yes]\r\n'),
      ]),
    );
  } finally {
    await s.close();
  }
});

test('what the client sends: lines with CR LF, 0xFF doubled, CR NUL keys, CR alone in BINARY, commands', async () => {
  const s = await session();
  try {
    s.client.sendLine(Buffer.of(0x61, 0xff, 0x62));
    s.client.sendKeys(Buffer.from('ls\r'));
    s.client.sendCommand('ayt');
    s.client.sendCommand('ip');
    s.client.sendCommand('synch');
    s.client.sendCommand('brk');
    assert.deepEqual(
      await s.server.exchange(),
      Buffer.concat([
        Buffer.of(0x61, 0xff, 0xff, 0x62, 0x0d, 0x0a),
        Buffer.from('ls\r\0'),
        Buffer.of(IAC, 246, IAC, 244, IAC, 242, IAC, 243),
      ]),
    );
    assert.deepEqual(await s.server.exchange(Buffer.of(IAC, DO, BINARY)), Buffer.of(IAC, WILL, BINARY));
    s.client.sendKeys(Buffer.from('ls\r'));
    assert.deepEqual(await s.server.exchange(), Buffer.from('ls\r'));
  } finally {
    await s.close();
  }
});

test('the client asks for character mode (mode character): DO ECHO, DO SGA, and a WILL completes it silently', async () => {
  const s = await session();
  try {
    s.client.request('him', ECHO, true);
    s.client.request('him', SGA, true);
    assert.deepEqual(await s.server.exchange(), Buffer.of(IAC, DO, ECHO, IAC, DO, SGA));
    assert.deepEqual(await s.server.exchange(Buffer.of(IAC, WILL, ECHO, IAC, WONT, SGA)), Buffer.alloc(0));
    assert.equal(s.client.serverEchoes, true);
    assert.equal(s.client.serverSuppressesGoAhead, false);
  } finally {
    await s.close();
  }
});

test('transcript: S:/C: lines with the negotiation decoded and data as lines', async () => {
  const entries: TranscriptEntry[] = [];
  const unsubscribe = subscribeTranscript((e) => entries.push(e));
  const s = await session({
    terminalType: 'vt100',
    windowSize: () => ({ columns: 80, rows: 24 }),
    transcript: transcriptTap('telnet', 'test', 'tid'),
  });
  try {
    await s.server.exchange(
      Buffer.concat([Buffer.from('login: '), Buffer.of(IAC, DO, NAWS, IAC, SB, TTYPE, 1, IAC, SE)]),
    );
    s.client.sendLine(Buffer.from('alice'));
    await s.server.exchange();
    const lines = entries.filter((e) => e.sessionId === 'tid').map((e) => `${e.direction}: ${e.text}`);
    assert.deepEqual(lines.slice(0, 7), [
      'S: login: ',
      'S: IAC DO NAWS',
      'C: IAC WILL NAWS',
      'C: IAC SB NAWS WIDTH 80 HEIGHT 24 IAC SE',
      // TTYPE SEND while the option is off: logged, not answered.
      'S: IAC SB TERMINAL-TYPE SEND IAC SE',
      'S: IAC DO TIMING-MARK',
      'C: IAC WONT TIMING-MARK',
    ]);
    assert.ok(lines.includes('C: alice'), lines.join('\n'));
  } finally {
    unsubscribe();
    await s.close();
  }
});

test('the server hanging up ends the session with a close event', async () => {
  const s = await session();
  try {
    const closed = new Promise<void>((resolve) => s.client.once('close', resolve));
    await s.server.socket();
    await s.server.send('bye\r\n');
    s.server.hangUp();
    await closed;
    await eventually(() => s.shown().toString() === 'bye\r\n');
    assert.equal(s.client.closed, true);
  } finally {
    await s.close();
  }
});
