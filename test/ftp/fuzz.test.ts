// Hostile input, generated: a logged-in session gets 1,500 seeded random command lines (every verb
// of the command table except AUTH and QUIT, arguments from a corpus of traversal, overlong,
// control-character, numeric-edge and address-like pieces). Every line must get a well-formed
// reply, the server must stay up, and nothing may appear outside the user's home. The codec's
// parsers get random bytes too (the client parses what a hostile server sends).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { COMMANDS } from '../../src/ftp/session/commands.js';
import {
  parseCommand,
  parseEprtArg,
  parseEpsvReply,
  parseHostArgument,
  parseMlsxLine,
  parsePasvReply,
  parsePortArg,
  parseTimeVal,
  parseUnixListLine,
  ReplyParser,
  resolveVirtual,
} from '../../src/ftp/codec/index.js';
import { RawFtp, startFtp, type FtpFixture } from './helpers.js';
import { prng } from '../helpers/prng.js';
import { expectOutputBackpressure } from '../helpers/unread-pipeline.js';

const SEED = Number(process.env['OUTPOST_FUZZ_SEED'] ?? 20261121);

const PIECES = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '/../../etc/passwd',
  '%2e%2e%2f',
  '..\\..\\',
  'a/b/c',
  'notes.txt',
  'dir',
  '-la',
  '*',
  '~root',
  '"quoted"',
  'é✓',
  '\u0007\u001b[31m',
  '0',
  '-1',
  '18446744073709551616',
  '9'.repeat(40),
  'A',
  'I',
  'L 8',
  'E',
  'F',
  'S',
  'B',
  'TLS',
  'P',
  'C',
  'UTF8 ON',
  'MLST type;size;',
  '127,0,0,1,4,1',
  '127,0,0,1,0,21',
  '10,0,0,1,200,10',
  '256,1,1,1,1,1',
  '|1|127.0.0.1|1025|',
  '|2|::1|1025|',
  '|3|x|1|',
  '||||',
  'ALL',
  '1',
  '2',
  '20230229000000',
  '20991231235959 f',
  'CHMOD 777 notes.txt',
  'CHMOD 4755 x',
  'HELP',
  'x'.repeat(600),
  '[::1]',
  'example.test',
];

let f: FtpFixture;
before(async () => {
  f = await startFtp({ data_timeout_seconds: 1 });
});
after(async () => {
  await f.close();
});

test(`random command lines get replies and never escape the home (seed ${SEED})`, async () => {
  const random = prng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const verbs = [...COMMANDS.keys()].filter((v) => v !== 'AUTH' && v !== 'QUIT');
  let c = await RawFtp.open(f.port);
  await c.login();
  let replies = 0;
  let reconnects = 0;
  for (let i = 0; i < 1500; i++) {
    const verb = random() < 0.05 ? pick(['XYZ', 'retr', 'Stor', '']) : pick(verbs);
    const parts = Array.from({ length: Math.floor(random() * 3) }, () => pick(PIECES));
    const line = `${verb} ${parts.join(random() < 0.5 ? ' ' : '/')}`.trimEnd().slice(0, 2000);
    let reply;
    try {
      reply = await c.cmd(line);
      // 1xx is a preliminary reply: the final one follows (226, 425, 426, 451, 550…).
      while (reply.code < 200) reply = await c.reply();
    } catch (err) {
      // The server may hang up (421 after too many errors); the test goes on with a new session.
      if (!(err instanceof Error) || !/closed/.test(err.message))
        throw new Error(`line ${i}: ${line}`, { cause: err });
      reconnects++;
      c = await RawFtp.open(f.port);
      await c.login();
      continue;
    }
    assert.ok(reply.code >= 200 && reply.code < 600, `line ${i}: ${line} -> ${reply.code}`);
    replies++;
    if (reply.code === 530 || reply.code === 221) await c.login().catch(() => undefined);
  }
  c.close();
  assert.ok(replies > 1200, `${replies} replies, ${reconnects} reconnects`);
  // The server is still there, and the home's parent holds the home alone.
  const d = await RawFtp.open(f.port);
  await d.login();
  assert.equal((await d.cmd('NOOP')).code, 200);
  d.close();
  assert.deepEqual(readdirSync(dirname(f.home)), [f.home.split('/').pop()]);
});

test(`codec parsers take random bytes without throwing (seed ${SEED})`, () => {
  const random = prng(SEED + 1);
  const alphabet = ' ,|()[]:.-/\\0123456789abcdefABCDEF\r\n\t\u0000\u00ff"=;*?%';
  const text = (n: number): string =>
    Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const parser = new ReplyParser();
  for (let i = 0; i < 20_000; i++) {
    const s = text(Math.floor(random() * 80));
    parseCommand(Buffer.from(s, 'latin1'));
    parsePortArg(s);
    parseEprtArg(s);
    parsePasvReply(s);
    parseEpsvReply(s);
    parseHostArgument(s);
    parseMlsxLine(s);
    parseUnixListLine(s);
    parseTimeVal(s);
    resolveVirtual('/a/b', s);
    try {
      parser.push(s);
    } catch (err) {
      // A reply parser may refuse garbage, but only with its own error, never a TypeError.
      assert.ok(!(err instanceof TypeError), String(err));
    }
  }
});

test('a client that pipelines HELP without reading the replies stops being read', async () => {
  await expectOutputBackpressure({
    port: f.port,
    protocol: 'ftp',
    command: 'HELP',
    count: 200_000,
    replyMarker: '\r\n214 ',
  });
});
