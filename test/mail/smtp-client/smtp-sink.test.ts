// SMTP client against Postfix's smtp-sink: a real server's EHLO, pipelining and replies; its
// hard (-f) and soft (-r) refusals come back as per-recipient 5xx/4xx results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMessage } from '../../../src/mail/message/mime-build.js';
import { connectSmtp } from '../../../src/mail/smtp/client/index.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { eventually } from '../../helpers/eventually.js';

const message = Buffer.concat([
  buildMessage({ from: 'alice@crepes.test', to: 'bob@hamburger.test', subject: 'Grüße', text: 'hello' }),
  // A raw line starting with a dot: dot-stuffed on the wire, unstuffed by the server.
  Buffer.from('.dot line\r\n'),
]);

test('delivers to smtp-sink with pipelining; the dump holds the message', async () => {
  const sink = await startSmtpSink();
  try {
    const client = await connectSmtp({ host: '127.0.0.1', port: sink.port, clientName: 'client.test' });
    assert.ok(client.capabilities.has('PIPELINING'));
    const res = await client.send({
      mailFrom: 'alice@crepes.test',
      recipients: [{ address: 'bob@hamburger.test' }, { address: 'carol@hamburger.test' }],
      bytes: message,
    });
    await client.quit();
    assert.deepEqual(
      res.recipients.map((r) => r.accepted),
      [true, true],
    );
    const dumps = await eventually(() => {
      const m = sink.messages();
      return m.length > 0 && m;
    });
    assert.equal(dumps.length, 1);
    assert.match(dumps[0] ?? '', /X-Rcpt-Args: <bob@hamburger\.test>/);
    assert.match(dumps[0] ?? '', /\n\.dot line\r?\n/);
    assert.match(dumps[0] ?? '', /Subject: =\?utf-8\?Q\?Gr=C3=BC=C3=9Fe\?=/);
  } finally {
    await sink.stop();
  }
});

test('smtp-sink refusing RCPT with 4xx (-r) and 5xx (-f)', async () => {
  for (const [flag, cls] of [
    ['-r', 4],
    ['-f', 5],
  ] as const) {
    const sink = await startSmtpSink([flag, 'RCPT']);
    try {
      const client = await connectSmtp({ host: '127.0.0.1', port: sink.port, clientName: 'client.test' });
      const res = await client.send({
        mailFrom: 'a@x.test',
        recipients: [{ address: 'b@y.test' }],
        bytes: message,
      });
      await client.quit();
      assert.equal(Math.floor((res.recipients[0]?.reply.code ?? 0) / 100), cls);
      assert.equal(res.dataReply, null);
    } finally {
      await sink.stop();
    }
  }
});
