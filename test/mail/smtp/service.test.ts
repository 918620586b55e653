/**
 * The `smtp` suite service: configured listeners come up with their notes, mail to a configured
 * user lands in the shared store (the same instance other services get from `context.shared`),
 * and the store is closed by the suite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOutpost } from '../../../src/testing/index.js';
import { MAIL_STORE } from '../../../src/mail/service/mail-store.js';
import { greeted, inbox, talk } from './helpers.js';

test('suite service: MX + submission + SMTPS endpoints, delivery into the shared store', async () => {
  const outpost = await startTestOutpost({
    users: [{ address: 'bob@crepes.test', password: 'pw-bob-123' }],
    config: {
      hostname: 'mail.crepes.test',
      smtp: { listen: ['127.0.0.1:0'], submission_listen: ['127.0.0.1:0'], tls_listen: ['127.0.0.1:0'] },
    },
  });
  try {
    const eps = outpost.endpoints().filter((e) => e.service === 'smtp');
    assert.deepEqual(
      eps.map((e) => e.tls),
      ['starttls', 'starttls', 'implicit'],
    );
    const mx = eps[0];
    assert.ok(mx);
    const c = await greeted(mx.port);
    await talk(c, 'MAIL FROM:<x@remote.test>');
    assert.match(await talk(c, 'RCPT TO:<bob@crepes.test>'), /^250 /);
    assert.match(await talk(c, 'RCPT TO:<bob@hamburger.test>'), /^550 5\.7\.1/);
    await talk(c, 'DATA');
    assert.match(await talk(c, 'Subject: suite\r\n\r\nhi\r\n.'), /^250 /);
    await talk(c, 'QUIT');
    const store = outpost.suite.context.shared.get(MAIL_STORE, () => {
      throw new Error('the smtp service should have opened the store');
    });
    const [msg] = await inbox(store, 'bob@crepes.test');
    assert.match(msg ?? '', /by mail\.crepes\.test with ESMTP[\s\S]*Subject: suite/);
  } finally {
    await outpost.close();
  }
});
