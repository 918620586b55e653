// `outpost telnet` against a real Telnet server: Debian's inetutils-telnetd, started by the test
// under socat on 127.0.0.1 only (`telnetd -E PROGRAM`: a harmless shell script instead of
// login), never through a system inetd. From a pipe: telnetd's whole negotiation answered and
// shown decoded in the transcript, the line sent and echoed back. On a pseudo-terminal:
// character mode (telnetd echoes), NAWS seen by the remote program as its terminal size at
// start and after a resize, and the terminal restored on quit.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { portAccepts } from '../helpers/port.js';
import { runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { PtySession } from '../telnet/helpers/pty.js';
import { bin } from './helpers.js';

let socat: ChildProcess;
let port: number;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port: p } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return p;
}

before(async () => {
  const dir = tempDir('outpost-telnetd-');
  const program = join(dir, 'remote.sh');
  // The remote "shell": says its terminal size whenever it changes (telnetd sets it from NAWS;
  // polled, since bash defers a WINCH trap while it waits in read) and answers each line.
  writeFileSync(
    program,
    [
      '#!/bin/bash',
      'last=',
      'while true; do',
      '  size=$(stty size)',
      '  if [ "$size" != "$last" ]; then echo "size $size"; last=$size; fi',
      '  if read -r -t 0.2 line; then echo "got $line"; fi',
      'done',
      '',
    ].join('\n'),
  );
  chmodSync(program, 0o755);
  port = await freePort();
  socat = spawn(
    'socat',
    [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `EXEC:/usr/sbin/telnetd -E ${program}`],
    {
      stdio: 'ignore',
    },
  );
  socat.on('error', (err) => {
    throw new Error(`socat could not start (peer missing? scripts/install-test-peers.sh): ${err.message}`);
  });
  await eventually(() => portAccepts(port), { what: 'socat listening for telnetd' });
});

after(() => {
  socat.kill();
});

test('from a pipe: telnetd negotiates, the transcript decodes it, the line comes back', async () => {
  const r = await runText(
    process.execPath,
    [bin, 'telnet', '127.0.0.1', String(port), '--wait', '2', '--transcript'],
    {
      input: 'hello telnetd\n',
      env: { TERM: 'vt100', OUTPOST_DATA: '/nonexistent' },
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^got hello telnetd\r?$/m);
  const lines = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('[telnet '))
    .map((l) => l.replace(/^\[telnet [^\]]+\] /, ''));
  for (const expected of [
    'S: IAC DO TERMINAL-TYPE',
    'C: IAC WILL TERMINAL-TYPE',
    'S: IAC SB TERMINAL-TYPE SEND IAC SE',
    'C: IAC SB TERMINAL-TYPE IS "vt100" IAC SE',
    'S: IAC WILL ECHO',
    'C: IAC DO ECHO',
    'S: IAC DO NEW-ENVIRON',
    'C: IAC WONT NEW-ENVIRON',
    'S: IAC DO LINEMODE',
    'C: IAC WONT LINEMODE',
    'C: hello telnetd',
  ])
    assert.ok(lines.includes(expected), `${expected} in\n${lines.join('\n')}`);
});

test('on a terminal: character mode, NAWS seen by the remote program at start and after a resize', async () => {
  const pty = new PtySession(30, 100, [process.execPath, bin, 'telnet', '127.0.0.1', String(port)], {
    TERM: 'xterm',
    OUTPOST_DATA: '/nonexistent',
  });
  try {
    await pty.waitFor('size 30 100');
    assert.deepEqual(await pty.flags(), { icanon: false, echo: false, isig: false });
    let at = pty.output.length;
    pty.resize(40, 120);
    at = await pty.waitFor('size 40 120', at);
    pty.type('typed here\r');
    await pty.waitFor(/got typed here/, at);
    pty.type('\x1dquit\r');
    const end = await pty.exited();
    assert.equal(end.exit, 0);
    assert.deepEqual(end.attrs, { icanon: true, echo: true, isig: true });
  } finally {
    pty.kill();
  }
});
