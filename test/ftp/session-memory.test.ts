// FTP sessions in memory (tier 2): the control connection is the shared C:/S: script client, the
// data connections come from the in-memory DataChannel, the files are a temporary home behind
// UserFs. The gate, the error boundary (an unexpected error is 451 and logged, and the session
// goes on), transfers without sockets, and the filesystem operations that act and then map the
// error instead of checking first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogs } from '../helpers/log-capture.js';
import { PASSWORD, readData, startFtpSession, USER, writeData } from './session-harness.js';

const LOGIN = `
  S: 220 *
  C: USER ${USER}
  S: 331 Password required
  C: PASS ${PASSWORD}
  S: 230 User logged in, proceed
`;

test('memory session: the gate answers 530 before login, 503 out of sequence, 500 unknown, 501 bad arguments', async () => {
  const { client, done } = startFtpSession();
  await client.play(`
    S: 220 *
    C: PWD
    S: 530 Please login with USER and PASS
    C: RETR notes.txt
    S: 530 Please login with USER and PASS
    C: PASS secret
    S: 503 Bad sequence of commands
    C: XYZZ
    S: 500 Unknown command XYZZ
    C: USER
    S: 501 Syntax: USER <sp> username
    C: NOOP now
    S: 501 Syntax: NOOP
    C: SYST
    S: 215 UNIX Type: L8
    C: USER ${USER}
    S: 331 Password required
    C: PASS wrong
    S: 530 Login incorrect
    C: USER ${USER}
    S: 331 Password required
    C: PASS ${PASSWORD}
    S: 230 User logged in, proceed
    C: USER bob@example.test
    S: 503 Bad sequence of commands
    C: PWD
    S: 257 "/" is the current directory
    C: QUIT
    S: 221 Goodbye
    S: <closed>
  `);
  await done;
});

test('memory session: a throwing login hook is answered 451 and logged without the password; the session goes on', async () => {
  const logs = captureLogs();
  const { client, done } = startFtpSession({
    logger: logs.logger,
    authenticate: () => Promise.reject(new Error('account database is down')),
  });
  await client.play(`
    S: 220 *
    C: USER ${USER}
    S: 331 Password required
    C: PASS hunter2-secret
    S: 451 Local error in processing
    C: NOOP
    S: 200 NOOP ok
    C: PASS hunter2-secret
    S: 451 Local error in processing
    C: QUIT
    S: 221 Goodbye
  `);
  await done;
  const failures = logs.entries.filter((e) => e.msg === 'ftp: PASS failed unexpectedly');
  assert.equal(failures.length, 2);
  const [first] = failures;
  assert.ok(first);
  assert.equal(first['verb'], 'PASS');
  assert.match(JSON.stringify(first['err']), /account database is down/);
  assert.ok(!logs.raw.join('').includes('hunter2'), 'the password never reaches the log');
});

test('memory session: a throwing virtual-host hook is 451 too, and HOST works again after it', async () => {
  let calls = 0;
  const logs = captureLogs();
  const s = startFtpSession({
    logger: logs.logger,
    virtualHost: (requested) => {
      calls++;
      if (calls === 1) throw new Error('host table unreadable');
      return { name: requested.kind === 'name' ? requested.name : 'literal' };
    },
  });
  await s.client.play(`
    S: 220 *
    C: HOST ftp.example.test
    S: 451 Local error in processing
    C: HOST ftp.example.test
    S: 220 Host ftp.example.test selected
  `);
  s.client.destroy();
  await s.done;
  assert.equal(logs.entries.filter((e) => e.msg === 'ftp: HOST failed unexpectedly').length, 1);
});

test('memory session: LIST, STOR and RETR move their bytes over the in-memory data channel', async () => {
  const { client, data, home, done } = startFtpSession();
  await client.play(LOGIN);
  await client.play(`
    C: EPSV
    S: 229 Entering Extended Passive Mode (|||50000|)
    C: LIST
    S: 150 Here comes the directory listing
  `);
  const listing = await readData(await data.next());
  assert.match(listing, /^d.* docs\r\n-.* notes\.txt\r\n$/);
  await client.play(`
    S: 226 Directory send OK
    C: TYPE I
    S: 200 Switching to Binary mode
    C: PASV
    S: 227 Entering Passive Mode (127,0,0,1,195,81).
    C: STOR upload.bin
    S: 150 Opening BINARY mode data connection for upload.bin
  `);
  writeData(await data.next(), 'uploaded bytes');
  await client.play(`
    S: 226 Transfer complete
    C: TYPE A
    S: 200 Switching to ASCII mode
    C: EPRT |1|127.0.0.1|2000|
    S: 200 EPRT command successful
    C: RETR notes.txt
    S: 150 Opening ASCII mode data connection for notes.txt (12 bytes)
  `);
  assert.equal(await readData(await data.next()), 'line1\r\nline2\r\n');
  await client.play(`
    S: 226 Transfer complete
    C: QUIT
    S: 221 Goodbye
  `);
  await done;
  assert.equal(readFileSync(join(home, 'upload.bin'), 'utf8'), 'uploaded bytes');
  assert.deepEqual(data.log, ['passive 50000', 'passive 50001', 'active 127.0.0.1 2000']);
});

test('memory session: no data connection is 425, and REIN forgets a prepared one', async () => {
  const { client, data, done } = startFtpSession();
  await client.play(LOGIN);
  await client.play(`
    C: LIST
    S: 425 Use PORT, EPRT, PASV or EPSV first
    C: EPSV
    S: 229 *
  `);
  data.refuseNext = true;
  await client.play(`
    C: NLST
    S: 425 Can't open data connection
    C: EPSV
    S: 229 *
    C: REIN
    S: 220 Service ready for new user
  `);
  assert.equal(data.prepared, false);
  assert.equal(data.resets, 1);
  client.destroy();
  await done;
});

test('memory session: ABOR during an upload answers 426 for the transfer, then 226', async () => {
  const { client, data, home, done } = startFtpSession();
  await client.play(LOGIN);
  await client.play(`
    C: TYPE I
    S: 200 *
    C: EPSV
    S: 229 *
    C: STOR partial.bin
    S: 150 *
  `);
  const upload = await data.next();
  upload.write('first part');
  await client.play(`
    C: STAT
    S: /^213 Status: \\d+ bytes of STOR \\/partial.bin transferred/
    C: ABOR
    S: 426 Connection closed; transfer aborted
    S: 226 ABOR successful
    C: NOOP
    S: 200 NOOP ok
  `);
  client.destroy();
  await done;
  assert.ok(existsSync(join(home, 'partial.bin')));
});

test('memory session: a failed data connection leaves the file STOR would overwrite as it was', async () => {
  const { client, data, home, done } = startFtpSession();
  writeFileSync(join(home, 'keep.txt'), 'precious');
  await client.play(LOGIN);
  await client.play(`
    C: EPSV
    S: 229 *
  `);
  data.refuseNext = true;
  await client.play(`
    C: STOR keep.txt
    S: 425 Can't open data connection
    C: EPSV
    S: 229 *
    C: STOR docs
    S: 550 Is a directory
    C: REST 100
    S: 350 *
    C: STOR keep.txt
    S: 554 Restart offset beyond the end of the file
    C: REST 3
    S: 350 *
    C: STOR missing.txt
    S: 554 Restart offset beyond the end of the file
  `);
  assert.equal(readFileSync(join(home, 'keep.txt'), 'utf8'), 'precious');
  assert.ok(!existsSync(join(home, 'missing.txt')), 'REST + STOR does not create a file');
  client.destroy();
  await done;
});

test('memory session: filesystem refusals are the operation’s own errors, mapped to replies', async () => {
  const { client, home, done } = startFtpSession();
  writeFileSync(join(home, 'file'), 'x');
  execFileSync('mkfifo', [join(home, 'pipe')]);
  await client.play(LOGIN);
  await client.play(`
    C: MKD docs
    S: 550 File exists
    C: DELE docs
    S: 550 Is a directory (use RMD)
    C: RMD file
    S: 550 Not a directory
    C: RMD /
    S: 550 Permission denied
    C: RNFR nothing
    S: 550 No such file or directory
    C: SIZE docs
    S: 550 Not a regular file
    C: EPSV
    S: 229 *
    # A FIFO in the home is refused at once instead of blocking the open.
    C: RETR pipe
    S: 550 Not a regular file
    C: MFMT 20260101000000 pipe
    S: 550 Not a regular file
    C: STOU file
    S: 150 FILE: file.1
  `);
  client.destroy();
  await done;
});
