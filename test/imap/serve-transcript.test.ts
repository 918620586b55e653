// `outpost serve --transcript` with IMAP, as a learner watches it: a real client (Python's
// imaplib, and raw lines for the forms imaplib does not send) logs in four ways, appends and
// fetches a message. The transcript shows every command and response, literals as `<n octets>`
// in both directions, and never the password: not after LOGIN (quoted, or after a literal user
// name), not in AUTHENTICATE's continuation nor in its SASL-IR initial response; nowhere in stdout
// or stderr.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServe } from '../cli/helpers.js';
import { eventually } from '../helpers/eventually.js';
import { runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';

const USER = 'alice@example.test';
const PASSWORD = 'tr4nscript-Secret-93';
const MESSAGE = 'From: bob@example.test\r\nSubject: seen on the wire\r\n\r\nHello Alice.\r\n';

const SCRIPT = String.raw`
import imaplib, socket, sys, base64
host, port, user, pw, message = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
m = imaplib.IMAP4(host, port)
m.login(user, pw)
m.append('INBOX', None, None, message.encode())
m.select('INBOX')
typ, data = m.fetch('1', '(UID BODY.PEEK[])')
assert data[0][1] == message.encode(), data
m.logout()
m = imaplib.IMAP4(host, port)
m.authenticate('PLAIN', lambda _: ('\0' + user + '\0' + pw).encode())
m.logout()
def raw(lines):
    s = socket.create_connection((host, port))
    f = s.makefile('rb')
    f.readline()
    for line, until in lines:
        s.sendall(line)
        while not f.readline().startswith(until): pass
    s.close()
ir = base64.b64encode(('\0' + user + '\0' + pw).encode())
raw([(b'r1 LOGIN {%d}\r\n' % len(user), b'+'), (user.encode() + b' "' + pw.encode() + b'"\r\n', b'r1 '),
     (b'r2 LOGOUT\r\n', b'r2 ')])
raw([(b'i1 AUTHENTICATE PLAIN ' + ir + b'\r\n', b'i1 '), (b'i2 LOGOUT\r\n', b'i2 ')])
print('ok')
`;

test('serve --transcript shows IMAP commands and responses, literals as sizes, passwords redacted', async () => {
  const dir = tempDir('outpost-imap-transcript-');
  const config = join(dir, 'outpost.toml');
  writeFileSync(
    config,
    [
      `data_dir = ${JSON.stringify(join(dir, 'data'))}`,
      '[[users]]',
      `address = "${USER}"`,
      `password = "${PASSWORD}"`,
      '[imap]',
      'listen = ["127.0.0.1:0"]',
      '',
    ].join('\n'),
  );
  const serve = await startServe(['--config', config, '--transcript'], { cwd: dir });
  try {
    const port = serve.port('imap', 'starttls');
    const py = await runText('python3', ['-c', SCRIPT, '127.0.0.1', String(port), USER, PASSWORD, MESSAGE]);
    assert.equal(py.code, 0, py.stderr);
    const size = Buffer.byteLength(MESSAGE);
    const lines = (): string[] =>
      serve
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('[imap '))
        .map((l) => l.replace(/^\[imap \S+\] /, ''));
    await eventually(() => lines().includes('C: i2 LOGOUT'), { what: 'the last session', timeoutMs: 20_000 });
    const shown = lines();
    const has = (pattern: RegExp): void => {
      assert.ok(
        shown.some((l) => pattern.test(l)),
        `no line matches ${String(pattern)} in:\n${shown.join('\n')}`,
      );
    };
    const inOrder = (expected: readonly (string | RegExp)[]): void => {
      let at = 0;
      for (const e of expected) {
        const found = shown.findIndex((l, i) => i >= at && (typeof e === 'string' ? l === e : e.test(l)));
        assert.ok(found >= 0, `${String(e)} not found after line ${String(at)} in:\n${shown.join('\n')}`);
        at = found + 1;
      }
    };
    has(/^S: \* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 .*\] .* Outpost IMAP server ready$/);
    // imaplib's LOGIN with a quoted password.
    has(/^C: \w+ LOGIN \*\*\*\*$/);
    // APPEND's literal from the client, the server's `+`, then FETCH's literal from the server.
    inOrder([
      new RegExp(String.raw`^C: \w+ APPEND INBOX \{${String(size)}\}$`),
      'S: + Ready for literal data',
      `C: <${String(size)} octets>`,
      /^S: \w+ OK \[APPENDUID \d+ 1\] /,
      new RegExp(String.raw`^C: \w+ FETCH 1 \(UID BODY\.PEEK\[\]\)$`),
      `S: * 1 FETCH (UID 1 BODY[] {${String(size)}}`,
      `S: <${String(size)} octets>`,
      'S: )',
      /^S: \w+ OK .*FETCH/,
    ]);
    // AUTHENTICATE PLAIN with its response on a continuation line.
    inOrder([/^C: \w+ AUTHENTICATE PLAIN$/, /^S: \+ ?$/, 'C: ****', /^S: \w+ OK /]);
    // LOGIN whose user name is a literal: the line after it carries the password.
    inOrder([
      'C: r1 LOGIN ****',
      'S: + Ready for literal data',
      `C: <${String(USER.length)} octets>`,
      'C: ****',
    ]);
    has(/^S: r1 OK /);
    // SASL-IR.
    inOrder(['C: i1 AUTHENTICATE PLAIN ****', /^S: i1 OK /]);
  } finally {
    await serve.stop();
  }
  const everything = serve.stdout() + serve.stderr();
  const initial = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
  assert.ok(!everything.includes(PASSWORD), 'the password appears in the output');
  assert.ok(!everything.includes(initial), 'the SASL PLAIN response appears in the output');
  assert.ok(!everything.includes(initial.slice(8, 32)), 'part of the SASL PLAIN response appears');
});
