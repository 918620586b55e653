// FETCH BINARY / BINARY.PEEK / BINARY.SIZE (RFC 3516) in memory: quoted-printable and base64
// parts decoded, NUL data as literal8 and other data as a normal literal, partial ranges of the
// decoded data, BINARY.SIZE matching what BINARY sends, a multipart and a missing part, the
// whole message for BINARY[], NO [UNKNOWN-CTE] for an encoding we cannot decode (nothing sent,
// \Seen untouched), BINARY setting \Seen like BODY; APPEND with literal8 storing NUL octets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryMailStore } from '../../../src/mail/index.js';
import {
  aliceInbox,
  enableRev2AndSelect,
  loginAlice,
  startImapSession,
  type ScriptClient,
} from '../helpers/session-harness.js';

const BLOB = Buffer.from([0, 1, 2, 0xff, 0, 0x0d, 0x0a, 0x41]);

const MIME = [
  'From: bob@example.test',
  'Subject: parts',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'caf=C3=A9 au lait, long line that is soft=',
  ' broken',
  '--b1',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  BLOB.toString('base64'),
  '--b1',
  'Content-Type: text/plain',
  'Content-Transfer-Encoding: x-uuencode',
  '',
  'begin 644 x',
  '--b1',
  'Content-Type: text/plain',
  '',
  'plain 7bit',
  '--b1--',
  '',
].join('\r\n');

async function setup(): Promise<{ client: ScriptClient; store: MemoryMailStore; inbox: number }> {
  const { store, inbox } = await aliceInbox([Buffer.from(MIME)]);
  const { client } = await startImapSession({ store });
  await loginAlice(client);
  await client.play(enableRev2AndSelect(1, 2, 's'));
  return { client, store, inbox };
}

/** Sends `command` (tagged `t`) and returns everything up to and including the tagged line. */
async function exchange(client: ScriptClient, command: string): Promise<string> {
  client.send(`t ${command}\r\n`);
  const lines: string[] = [];
  for (;;) {
    const line = await client.line();
    if (line === null) throw new Error(`closed after ${lines.join('\n')}`);
    lines.push(line);
    if (line.startsWith('t ')) return lines.join('\r\n');
  }
}

test('BINARY.PEEK decodes quoted-printable and base64; NUL data goes out as literal8; BINARY.SIZE matches', async () => {
  const { client } = await setup();
  const qp = Buffer.from('café au lait, long line that is soft broken').toString('latin1');
  assert.equal(
    await exchange(client, 'FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])'),
    `* 1 FETCH (BINARY[1] {${Buffer.byteLength(qp, 'latin1')}}\r\n${qp} BINARY.SIZE[1] ${Buffer.byteLength(qp, 'latin1')})\r\nt OK FETCH completed`,
  );
  assert.equal(
    await exchange(client, 'FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])'),
    `* 1 FETCH (BINARY.SIZE[2] 8 BINARY[2] ~{8}\r\n${BLOB.toString('latin1')})\r\nt OK FETCH completed`,
  );
  // Partial ranges count decoded octets; a slice without NUL is a normal literal.
  assert.equal(
    await exchange(client, 'FETCH 1 (BINARY.PEEK[2]<5.3> BINARY.PEEK[2]<1.1> BINARY.PEEK[2]<100.5>)'),
    '* 1 FETCH (BINARY[2]<5> {3}\r\n\r\nA BINARY[2]<1> {1}\r\n\x01 BINARY[2]<100> {0}\r\n)\r\nt OK FETCH completed',
  );
  // 7bit as is; a multipart's body as is; a missing part is empty.
  assert.equal(
    await exchange(client, 'FETCH 1 (BINARY.PEEK[4] BINARY.SIZE[4] BINARY.SIZE[9])'),
    '* 1 FETCH (BINARY[4] {10}\r\nplain 7bit BINARY.SIZE[4] 10 BINARY.SIZE[9] 0)\r\nt OK FETCH completed',
  );
  const whole = await exchange(client, 'FETCH 1 (BINARY.SIZE[] BINARY.PEEK[]<0.5>)');
  assert.equal(
    whole,
    `* 1 FETCH (BINARY.SIZE[] ${MIME.length} BINARY[]<0> {5}\r\nFrom:)\r\nt OK FETCH completed`,
  );
  assert.equal(await exchange(client, 'FETCH 1 (FLAGS)'), '* 1 FETCH (FLAGS ())\r\nt OK FETCH completed');
});

test('an unknown transfer encoding is NO [UNKNOWN-CTE] with nothing sent; BINARY (not PEEK) sets \\Seen', async () => {
  const { client } = await setup();
  assert.equal(
    await exchange(client, 'FETCH 1 (FLAGS BINARY[3])'),
    't NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding',
  );
  assert.equal(
    await exchange(client, 'UID FETCH 1 (BINARY.SIZE[3])'),
    't NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding',
  );
  assert.equal(await exchange(client, 'FETCH 1 (FLAGS)'), '* 1 FETCH (FLAGS ())\r\nt OK FETCH completed');
  assert.equal(
    await exchange(client, 'FETCH 1 (BINARY[4])'),
    '* 1 FETCH (BINARY[4] {10}\r\nplain 7bit FLAGS (\\Seen))\r\nt OK FETCH completed',
  );
});

test('APPEND with literal8 keeps NUL octets; BINARY[] returns them as literal8', async () => {
  const { client } = await setup();
  const message = Buffer.concat([Buffer.from('Subject: nul\r\n\r\n'), BLOB]);
  const head = await client.cmd(`a APPEND INBOX ~{${message.length}}`);
  assert.equal(head, '+ Ready for literal data');
  client.send(Buffer.concat([message, Buffer.from('\r\n')]));
  await client.play(`
    S: * 2 EXISTS
    S: /^a OK \\[APPENDUID \\d+ 2\\] APPEND completed$/
  `);
  assert.equal(
    await exchange(client, 'UID FETCH 2 (BINARY.PEEK[])'),
    `* 2 FETCH (UID 2 BINARY[] ~{${message.length}}\r\n${message.toString('latin1')})\r\nt OK FETCH completed`,
  );
});
