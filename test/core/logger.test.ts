// The suite's logger: on a terminal `outpost serve` writes readable one-line entries (pino-pretty,
// synchronously), otherwise JSON lines; either way secrets are redacted by key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/core/logger.js';
import { tempDir } from '../helpers/temp.js';

test('pretty lines: time, level, (service), message, fields; password redacted; written at once', () => {
  const file = join(tempDir('outpost-log-'), 'log.txt');
  const fd = openSync(file, 'w');
  try {
    const logger = createLogger({ pretty: true, prettyFd: fd });
    logger.child({ service: 'smtp' }).info({ ip: '127.0.0.1', password: 'hunter2' }, 'login failed');
    logger.debug('not at info');
    // Synchronous: the line is in the file before close, with no flush.
    const text = readFileSync(file, 'utf8');
    // Colour codes only when the terminal supports them; compare without.
    // eslint-disable-next-line no-control-regex
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(
      plain,
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \(smtp\) login failed \{"ip":"127\.0\.0\.1","password":"\[redacted\]"\}\n$/,
    );
    assert.ok(!text.includes('hunter2'));
  } finally {
    closeSync(fd);
  }
});

test('JSON lines otherwise, with the same redaction', () => {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  createLogger({ destination }).info({ user: { password: 'hunter2' } }, 'x');
  const entry = JSON.parse(out) as { level: number; msg: string; user: { password: string } };
  assert.equal(entry.level, 30);
  assert.equal(entry.user.password, '[redacted]');
});
