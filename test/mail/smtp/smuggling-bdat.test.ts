/**
 * The DATA terminator and BDAT: SMTP smuggling variants never end DATA and are refused after the
 * real CRLF.CRLF (nothing stored, no smuggled command executed); dot-stuffing; BDAT chunks,
 * BDAT LAST, BDAT 0 LAST, mixing with DATA refused, chunks outside a transaction read and refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greeted, inbox, readReply, startData, startSmtp, talk } from './helpers.js';
import { RawClient } from '../../helpers/line-client.js';

const BOB = 'bob@example.test';

const VARIANTS: [string, string][] = [
  ['<LF>.<LF>', '\n.\n'],
  ['<CR>.<CR>', '\r.\r'],
  ['<LF>.<CR><LF>', '\n.\r\n'],
  ['<CR>.<CR><LF>', '\r.\r\n'],
  ['<CR><LF>.<LF>', '\r\n.\n'],
];

for (const [name, terminator] of VARIANTS) {
  test(`smuggling: ${name} does not end DATA; the message is refused`, async () => {
    const f = await startSmtp();
    try {
      const c = await greeted(f.ports.mx);
      await startData(c);
      // The smuggled second transaction would deliver to alice if the fake terminator worked.
      c.send(
        `Subject: first\r\n\r\nhello${terminator}MAIL FROM:<evil@remote.test>\r\nRCPT TO:<alice@example.test>\r\n` +
          'DATA\r\nSubject: smuggled\r\n\r\nboo\r\n.\r\n',
      );
      assert.match((await readReply(c))?.[0] ?? '', /^550 5\.5\.2 .*bare CR or LF/);
      assert.match(await talk(c, 'NOOP'), /^250 2\.0\.0 OK$/, 'nothing else was answered');
      assert.equal((await inbox(f.store, BOB)).length, 0);
      assert.equal((await inbox(f.store, 'alice@example.test')).length, 0);
    } finally {
      await f.close();
    }
  });
}

test('bare LF or bare CR inside an otherwise proper message is refused', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    for (const body of ['line one\nline two\r\n', 'line one\rline two\r\n']) {
      await startData(c);
      assert.match(await talk(c, `Subject: x\r\n\r\n${body}.`), /^550 5\.5\.2/);
    }
    assert.equal((await inbox(f.store, BOB)).length, 0);
  } finally {
    await f.close();
  }
});

test('dot-stuffing: ".." lines lose one dot; an empty message is allowed', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    await startData(c, ['bob@example.test'], '');
    assert.match(await talk(c, 'Subject: dots\r\n\r\n..\r\n...\r\n..x\r\n.'), /^250 /);
    await startData(c, ['bob@example.test'], '');
    assert.match(await talk(c, '.'), /^250 /);
    const [first, second] = await inbox(f.store, BOB);
    assert.ok(first?.startsWith('Return-Path: <>\r\n'));
    assert.ok(first?.endsWith('Subject: dots\r\n\r\n.\r\n..\r\n.x\r\n'), JSON.stringify(first));
    assert.match(
      second ?? '',
      /^Return-Path: <>\r\nReceived: [^]*\+0000\r\n$/,
      'empty body: only trace headers',
    );
  } finally {
    await f.close();
  }
});

test('BDAT: chunks then LAST, CRLF split across chunks, BDAT 0 LAST', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    await talk(c, 'MAIL FROM:<a@remote.test>');
    await talk(c, 'RCPT TO:<bob@example.test>');
    const part1 = 'Subject: chunked\r\n\r\nline with a dot:\r\n.\r';
    const part2 = '\nend\r\n';
    c.send(`BDAT ${Buffer.byteLength(part1)}\r\n${part1}`);
    assert.match((await readReply(c))?.[0] ?? '', /^250 2\.0\.0 \d+ octets received/);
    assert.match(await talk(c, 'DATA'), /^503 5\.5\.1 .*BDAT/, 'DATA cannot be mixed with BDAT');
    assert.match(await talk(c, 'MAIL FROM:<x@remote.test>'), /^503 /);
    c.send(`BDAT ${Buffer.byteLength(part2)}\r\n${part2}`);
    assert.match((await readReply(c))?.[0] ?? '', /^250 /);
    assert.match(await talk(c, 'BDAT 0 LAST'), /^250 2\.0\.0 OK/);
    const [msg] = await inbox(f.store, BOB);
    assert.ok(msg?.endsWith(part1 + part2), JSON.stringify(msg));
    // one-shot BDAT LAST, pipelined with the envelope
    c.send(`MAIL FROM:<a@remote.test>\r\nRCPT TO:<bob@example.test>\r\nBDAT 9 LAST\r\nSubj: 2\r\n`);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(((await readReply(c))?.[0] ?? '').slice(0, 3));
    assert.deepEqual(codes, ['250', '250', '250']);
    assert.equal((await inbox(f.store, BOB)).length, 2);
  } finally {
    await f.close();
  }
});

test('BDAT: outside a transaction the chunk is read and refused; bare LF refused; too big refused', async () => {
  const f = await startSmtp({ limits: { maxMessageOctets: 50 } });
  try {
    const c = await greeted(f.ports.mx);
    c.send('BDAT 10 LAST\r\nNOOP\r\nNOOP');
    assert.match((await readReply(c))?.[0] ?? '', /^503 5\.5\.1 Need MAIL/);
    assert.match(await talk(c, 'NOOP'), /^250 2\.0\.0 OK$/, 'the chunk bytes were not run as commands');
    await talk(c, 'MAIL FROM:<a@remote.test>');
    await talk(c, 'RCPT TO:<bob@example.test>');
    c.send('BDAT 7 LAST\r\nX: y\n\r\n');
    assert.match((await readReply(c))?.[0] ?? '', /^550 5\.5\.2/);
    await talk(c, 'MAIL FROM:<a@remote.test>');
    await talk(c, 'RCPT TO:<bob@example.test>');
    c.send(`BDAT 40\r\n${'a'.repeat(38)}\r\n`);
    assert.match((await readReply(c))?.[0] ?? '', /^250 /);
    c.send(`BDAT 40 LAST\r\n${'b'.repeat(38)}\r\n`);
    assert.match((await readReply(c))?.[0] ?? '', /^552 5\.3\.4/);
    assert.equal((await inbox(f.store, BOB)).length, 0);
    assert.match(await talk(c, 'BDAT nonsense'), /^501 5\.5\.4/);
    assert.ok(await c.closed());
  } finally {
    await f.close();
  }
});

test('kill the connection in the middle of DATA: nothing stored', async () => {
  const f = await startSmtp();
  try {
    const c = await greeted(f.ports.mx);
    await startData(c);
    c.send('Subject: half\r\n\r\nhalf a message');
    c.socket.destroy();
    const again = await RawClient.connect(f.ports.mx);
    await readReply(again);
    again.end();
    assert.equal((await inbox(f.store, BOB)).length, 0);
  } finally {
    await f.close();
  }
});
