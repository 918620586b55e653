// COMPRESS (RFC 4978) refusals in memory (the compressed exchange itself is in
// interop-compress.test.ts, over sockets): not before login and not advertised there, an
// unknown mechanism is BAD, and a failed COMPRESS leaves the session uncompressed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAlice, startImapSession } from '../helpers/session-harness.js';

test('COMPRESS: BAD before login, advertised after it, an unknown mechanism is BAD and changes nothing', async () => {
  const { client, greeting } = await startImapSession();
  assert.doesNotMatch(greeting, /COMPRESS/);
  await client.play(`
    C: a COMPRESS DEFLATE
    S: a BAD COMPRESS needs a login first
  `);
  await loginAlice(client);
  await client.play(`
    C: c CAPABILITY
    S: /^\\* CAPABILITY .* COMPRESS=DEFLATE /
    S: c OK CAPABILITY completed
    C: b COMPRESS LZMA
    S: b BAD Unknown compression mechanism LZMA
    C: d COMPRESS
    S: d BAD *
    C: n NOOP
    S: n OK NOOP completed
  `);
});
