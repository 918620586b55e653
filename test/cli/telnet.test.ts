// `outpost telnet` from a pipe, the textbook exercises as scripts, run as the real executable
// (bin/outpost, built): SMTP, POP3, FTP control and HTTP by hand against Outpost's own servers,
// STARTTLS for SMTP, POP3 and FTP (and IMAP against a scripted server), implicit TLS, the
// certificate explained when refused, host names through --dns and the system resolver,
// IPv6, clear errors with exit 1, --wait for a server that never closes, --transcript with the
// negotiation decoded, and NEW-ENVIRON refused unless --environ names the variables.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { startTestOutpost, type TestOutpost } from '../../src/testing/index.js';
import { runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { DO, IAC, SB, SE, ScriptedServer, WILL, WONT } from '../telnet/helpers/scripted-server.js';
import { bin } from './helpers.js';

const ALICE = { address: 'alice@crepes.test', password: 'alice-secret-1' };

let suite: TestOutpost;
let work: string;
let cert: string;
let key: string;

before(async () => {
  work = tempDir('outpost-telnet-');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(work, 'index.html'), '<h1>crepes</h1>\n');
  suite = await startTestOutpost({
    users: [ALICE],
    smtp: true,
    pop3: true,
    ftp: true,
    http: { root: work },
    zones: [
      {
        name: 'crepes.test',
        text: '$ORIGIN crepes.test.\n$TTL 60\n@ SOA ns hm 1 60 60 60 60\n@ NS ns\nns A 127.0.0.1\nmail A 127.0.0.1\nv6 AAAA ::1\n',
      },
    ],
  });
  cert = join(suite.dataDir, 'tls', 'dev-cert.pem');
  key = join(suite.dataDir, 'tls', 'dev-key.pem');
});
after(() => suite.close());

/** Runs `outpost telnet ARGS` with `input` on stdin, away from any local suite. */
function telnet(
  args: readonly string[],
  input = '',
  env: NodeJS.ProcessEnv = {},
): ReturnType<typeof runText> {
  return runText(process.execPath, [bin, 'telnet', ...args], {
    cwd: work,
    env: { OUTPOST_DATA: join(work, 'no-suite'), ...env },
    input,
    timeoutMs: 60_000,
  });
}

const port = (a: { port: number } | undefined): string => String(a?.port ?? 0);

test('SMTP by hand: printf "HELO me\\nQUIT\\n" shows the 220, 250 and 221', async () => {
  const r = await telnet(['127.0.0.1', port(suite.smtp)], 'HELO me\nQUIT\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^220 .*ESMTP/m);
  assert.match(r.stdout, /^250 .*Hello me/m);
  assert.match(r.stdout, /^221 /m);
  assert.match(r.stderr, /^Connected to 127\.0\.0\.1\.$/m);
  assert.match(r.stderr, /^Connection closed by foreign host\.$/m);
});

test('SMTP by hand: a whole message, delivered', async () => {
  const r = await telnet(
    ['localhost', port(suite.smtp)],
    [
      'HELO me',
      'MAIL FROM:<bob@elsewhere.test>',
      `RCPT TO:<${ALICE.address}>`,
      'DATA',
      'Subject: by hand',
      '',
      'typed with outpost telnet',
      '.',
      'QUIT',
      '',
    ].join('\n'),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^354 /m);
  assert.match(r.stdout, /^250 .*(queued|accepted|OK)/im);
  const message = await suite.waitForMessage(ALICE.address, { match: (m) => m.subject === 'by hand' });
  assert.equal(message.text.trim(), 'typed with outpost telnet');
});

test('HTTP GET by hand: the status line, the headers and the page', async () => {
  const url = new URL(suite.http ?? '');
  const r = await telnet(
    [url.hostname, url.port],
    'GET /index.html HTTP/1.1\nHost: crepes.test\nConnection: close\n\n',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r$/m);
  assert.match(r.stdout, /^Content-Length: 16\r$/im);
  assert.match(r.stdout, /<h1>crepes<\/h1>/);
});

test('POP3 by hand: USER, PASS, STAT, QUIT', async () => {
  const r = await telnet(
    ['127.0.0.1', port(suite.pop3)],
    `USER ${ALICE.address}\nPASS ${ALICE.password}\nSTAT\nQUIT\n`,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\+OK .*ready/m);
  assert.match(r.stdout, /^\+OK \d+ \d+\r$/m);
  assert.match(r.stdout, /signing off/);
});

test('FTP control connection by hand: USER, PASS, PWD, QUIT', async () => {
  const r = await telnet(
    ['127.0.0.1', port(suite.ftp)],
    `USER ${ALICE.address}\nPASS ${ALICE.password}\nPWD\nQUIT\n`,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^220 /m);
  assert.match(r.stdout, /^331 /m);
  assert.match(r.stdout, /^230 /m);
  assert.match(r.stdout, /^257 "\/"/m);
  assert.match(r.stdout, /^221 /m);
});

test('--starttls smtp: greeting, EHLO, STARTTLS in plaintext, then the session over TLS', async () => {
  const r = await telnet(
    ['127.0.0.1', port(suite.submission), '--starttls', 'smtp', '--cacert', cert],
    'EHLO me\nQUIT\n',
  );
  assert.equal(r.code, 0, r.stderr);
  const [plain, secure] = r.stdout.split(/^220 2\.0\.0 .*$/m);
  assert.ok(plain !== undefined && secure !== undefined, r.stdout);
  assert.match(plain, /^250-STARTTLS$/m);
  // After TLS the server no longer offers STARTTLS (RFC 3207 §4.2): the EHLO went over TLS.
  assert.match(secure, /^250-.*Hello me/m);
  assert.doesNotMatch(secure, /STARTTLS/);
  assert.match(secure, /^221 /m);
  assert.match(r.stderr, /^TLS established \(TLSv1\.[23], /m);
});

test("--starttls pop3 and ftp; the local suite's certificate is trusted on loopback with no flag", async () => {
  const pop = await telnet(['localhost', port(suite.pop3), '--starttls', 'pop3'], 'CAPA\nQUIT\n', {
    OUTPOST_DATA: suite.dataDir,
  });
  assert.equal(pop.code, 0, pop.stderr);
  assert.match(pop.stderr, /Trusting the local suite's development certificate/);
  assert.match(pop.stdout, /^STLS\n\+OK /m);
  assert.doesNotMatch(pop.stdout.split(/^STLS$/m)[1] ?? '', /^STLS/m);
  const ftp = await telnet(
    ['127.0.0.1', port(suite.ftp), '--starttls', 'ftp', '--cacert', cert],
    'PBSZ 0\nPROT P\nQUIT\n',
  );
  assert.equal(ftp.code, 0, ftp.stderr);
  assert.match(ftp.stdout, /^234 /m);
  assert.match(ftp.stdout, /^200 .*PBSZ|^200 /m);
  assert.match(ftp.stdout, /^221 /m);
});

test('an untrusted certificate: exit 1, whose it is, and how to trust it', async () => {
  const r = await telnet(['127.0.0.1', port(suite.submission), '--starttls', 'smtp'], 'QUIT\n');
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /the server's certificate is not trusted: it is self-signed .*\[ERR_TLS_UNTRUSTED\]/,
  );
  assert.match(r.stderr, /^To trust it: --cacert FILE/m);
  assert.match(r.stderr, /^To skip verification \(not for real servers\): --insecure\.$/m);
  const insecure = await telnet(
    ['127.0.0.1', port(suite.submission), '--starttls', 'smtp', '--insecure'],
    'QUIT\n',
  );
  assert.equal(insecure.code, 0, insecure.stderr);
  assert.match(insecure.stdout, /^221 /m);
});

/** A plain server that speaks IMAP's STARTTLS, then echoes lines over TLS; and an implicit-TLS echo. */
async function tlsPeers(): Promise<{ imap: number; implicit: number; close: () => void }> {
  const context = { cert: readFileSync(cert), key: readFileSync(key) };
  const echo = (s: TLSSocket): void => {
    s.write('* OK over TLS\r\n');
    s.on('data', (d: Buffer) => s.write(`echo: ${d.toString()}`));
    s.on('error', () => undefined);
  };
  const imap = createServer((socket: Socket) => {
    socket.write('* OK IMAP4rev1 ready\r\n');
    socket.once('data', (line: Buffer) => {
      assert.equal(line.toString(), 'a001 STARTTLS\r\n');
      socket.write('a001 OK Begin TLS negotiation now\r\n');
      const secure = new TLSSocket(socket, { isServer: true, ...context });
      echo(secure);
    });
  });
  const implicit = createTlsServer(context, echo);
  imap.listen(0, '127.0.0.1');
  implicit.listen(0, '127.0.0.1');
  await Promise.all([once(imap, 'listening'), once(implicit, 'listening')]);
  return {
    imap: (imap.address() as AddressInfo).port,
    implicit: (implicit.address() as AddressInfo).port,
    close: () => {
      imap.close();
      implicit.close();
    },
  };
}

test('--starttls imap and --tls (implicit TLS) reach the server over TLS', async () => {
  const peers = await tlsPeers();
  try {
    const imap = await telnet(
      ['127.0.0.1', String(peers.imap), '--starttls', 'imap', '--cacert', cert, '--wait', '1'],
      'a002 NOOP\n',
    );
    assert.equal(imap.code, 0, imap.stderr);
    assert.match(imap.stdout, /^a001 OK Begin TLS/m);
    assert.match(imap.stdout, /^\* OK over TLS\r$/m);
    assert.match(imap.stdout, /^echo: a002 NOOP\r$/m);
    const implicit = await telnet(
      ['127.0.0.1', String(peers.implicit), '--tls', '--cacert', cert, '--wait', '1'],
      'hello\n',
    );
    assert.equal(implicit.code, 0, implicit.stderr);
    assert.match(implicit.stdout, /^echo: hello\r$/m);
  } finally {
    peers.close();
  }
});

test('host names: --dns asks an Outpost resolver; NXDOMAIN is "no such host" with exit 1', async () => {
  const dns = `127.0.0.1:${port(suite.dns)}`;
  const r = await telnet(['mail.crepes.test', port(suite.smtp), '--dns', dns], 'QUIT\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^Trying 127\.0\.0\.1\.\.\.$/m);
  assert.match(r.stdout, /^221 /m);
  const missing = await telnet(['nowhere.crepes.test', '25', '--dns', dns]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^outpost: no such host "nowhere\.crepes\.test" \(127\.0\.0\.1#\d+ answered NXDOMAIN\) \[ERR_HOST_NOT_FOUND\]$/m,
  );
});

test('IPv6: a literal with or without brackets, and an AAAA name through --dns', async () => {
  const server = await ScriptedServer.start('::1');
  server.onConnection = (s) => s.end('hello over IPv6\r\n');
  try {
    for (const host of ['::1', '[::1]']) {
      const r = await telnet([host, String(server.port)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello over IPv6\r\n');
    }
    const byName = await telnet([
      'v6.crepes.test',
      String(server.port),
      '--dns',
      `127.0.0.1:${port(suite.dns)}`,
    ]);
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stderr, /^Trying ::1\.\.\.$/m);
  } finally {
    await server.close();
  }
});

test('connection refused, bad port, bad options: one clear line and a non-zero exit', async () => {
  const closed = await ScriptedServer.start();
  const deadPort = String(closed.port);
  await closed.close();
  const refused = await telnet(['127.0.0.1', deadPort]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    new RegExp(
      `^outpost: cannot connect to 127\\.0\\.0\\.1 port ${deadPort}: connection refused \\[ERR_CONNECT_FAILED\\]$`,
      'm',
    ),
  );
  const badPort = await telnet(['127.0.0.1', '70000']);
  assert.equal(badPort.code, 1);
  assert.match(badPort.stderr, /invalid port "70000"/);
  const badStarttls = await telnet(['127.0.0.1', '25', '--starttls', 'gopher']);
  assert.equal(badStarttls.code, 1);
  assert.match(badStarttls.stderr, /--starttls takes smtp\|imap\|pop3\|ftp/);
  const usage = await telnet([]);
  assert.equal(usage.code, 2);
});

test('--wait: a server that never closes is left after the silence; negotiation is not "talk"', async () => {
  const server = await ScriptedServer.start();
  server.onConnection = (s) => {
    s.write('hello\r\n');
    // Endless sub-negotiation, trickled: never data, so never a reason to stay.
    s.write(Buffer.of(IAC, SB, 99));
    const timer = setInterval(() => s.write(Buffer.alloc(512, 0x41)), 20);
    s.on('close', () => {
      clearInterval(timer);
    });
  };
  try {
    const r = await telnet(['127.0.0.1', String(server.port), '--wait', '1'], 'ping\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\r\n');
    assert.doesNotMatch(r.stderr, /Connection closed by foreign host/);
    await server.waitFor('ping\r\n');
  } finally {
    await server.close();
  }
});

test("--transcript: the negotiation decoded, in the suite's transcript format", async () => {
  const server = await ScriptedServer.start();
  server.onConnection = (s) => {
    s.write(
      Buffer.concat([
        Buffer.of(IAC, DO, 24, IAC, DO, 31, IAC, WILL, 1, IAC, SB, 24, 1, IAC, SE),
        Buffer.from('login: '),
      ]),
    );
    s.once('data', () => setTimeout(() => s.end('bye\r\n'), 50));
  };
  try {
    const r = await telnet(['127.0.0.1', String(server.port), '--transcript'], '', { TERM: 'vt100' });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('[telnet '))
      .map((l) => l.replace(/^\[telnet [^\]]+\] /, ''));
    assert.deepEqual(lines, [
      `*: connected to 127.0.0.1 port ${server.port}`,
      'S: IAC DO TERMINAL-TYPE',
      'C: IAC WILL TERMINAL-TYPE',
      // stdout is not a terminal: no window to report.
      'S: IAC DO NAWS',
      'C: IAC WONT NAWS',
      'S: IAC WILL ECHO',
      'C: IAC DO ECHO',
      'S: IAC SB TERMINAL-TYPE SEND IAC SE',
      'C: IAC SB TERMINAL-TYPE IS "vt100" IAC SE',
      // Data is shown by lines: the prompt and what follows it on the same line are one.
      'S: login: bye',
    ]);
    assert.equal(r.stdout, 'login: bye\r\n');
  } finally {
    await server.close();
  }
});

test('NEW-ENVIRON: refused by default even with USER set; --environ USER sends only what it names', async () => {
  const server = await ScriptedServer.start();
  server.onConnection = (s) => {
    s.write(Buffer.of(IAC, DO, 39, IAC, SB, 39, 1, IAC, SE));
    s.once('data', () => setTimeout(() => s.end(), 50));
  };
  try {
    const plain = await telnet(['127.0.0.1', String(server.port)], '', { USER: 'alice', LOGNAME: 'alice' });
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(server.received, Buffer.of(IAC, WONT, 39));
    const allowed = await telnet(['127.0.0.1', String(server.port), '--environ', 'USER'], '', {
      USER: 'alice',
      LANG: 'C',
    });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.deepEqual(
      server.received,
      Buffer.concat([
        Buffer.of(IAC, WILL, 39, IAC, SB, 39, 0, 0),
        Buffer.from('USER'),
        Buffer.of(1),
        Buffer.from('alice'),
        Buffer.of(IAC, SE),
      ]),
    );
  } finally {
    await server.close();
  }
});
