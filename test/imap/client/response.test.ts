// The IMAP client's response parser (src/imap/client/response.ts) on RFC 9051's examples and
// hostile input, and ImapClient against scripted hostile servers: a literal claiming gigabytes,
// an endless line, lists nested without end, garbage. Each ends in an IMAP_PROTOCOL error
// without buffering what was claimed.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { ImapClient } from '../../../src/imap/client/imap-client.js';
import { IMAP_CLIENT_LIMITS } from '../../../src/imap/client/limits.js';
import {
  ImapResponseError,
  literalAtEnd,
  parseResponse,
  type ResponseSegment,
} from '../../../src/imap/client/response.js';
import { prng } from '../../helpers/prng.js';

const seg = (text: string, literal: string | null = null): ResponseSegment => ({
  text: Buffer.from(text),
  literal: literal === null ? null : Buffer.from(literal),
});

test('status, data and continuation responses; FETCH items with sections, literals, NIL, quoted escapes', () => {
  assert.deepEqual(parseResponse([seg('a1 OK [APPENDUID 38505 3955] APPEND completed')]), {
    kind: 'status',
    tag: 'a1',
    status: 'OK',
    code: 'APPENDUID 38505 3955',
    text: 'APPEND completed',
  });
  assert.deepEqual(parseResponse([seg('* BYE bye')]), {
    kind: 'status',
    tag: '*',
    status: 'BYE',
    code: null,
    text: 'bye',
  });
  assert.deepEqual(parseResponse([seg('+ Ready')]), { kind: 'continuation', text: 'Ready' });
  assert.deepEqual(parseResponse([seg('* LIST (\\HasNoChildren) "/" "Caf&AOk-"')]), {
    kind: 'data',
    name: 'LIST',
    number: null,
    data: [['\\HasNoChildren'], Buffer.from('/'), Buffer.from('Caf&AOk-')],
  });
  const fetch = parseResponse([
    seg('* 12 FETCH (UID 7 FLAGS (\\Seen $Junk) BODY[HEADER.FIELDS (FROM SUBJECT)] ', 'From: x\r\n\r\n'),
    seg(' BODY[]<0> NIL X "a \\"q\\" \\\\")'),
  ]);
  assert.deepEqual(fetch, {
    kind: 'data',
    name: 'FETCH',
    number: 12,
    data: [
      [
        'UID',
        '7',
        'FLAGS',
        ['\\Seen', '$Junk'],
        'BODY[HEADER.FIELDS (FROM SUBJECT)]',
        Buffer.from('From: x\r\n\r\n'),
        'BODY[]<0>',
        null,
        'X',
        Buffer.from('a "q" \\'),
      ],
    ],
  });
  assert.equal(literalAtEnd(Buffer.from('* 1 FETCH (BODY[] {42}')), 42);
  assert.equal(literalAtEnd(Buffer.from('* OK {x}')), null);
  assert.equal(literalAtEnd(Buffer.from('* OK }')), null);
});

test('malformed and hostile responses throw ImapResponseError, never loop or overflow the stack', () => {
  for (const bad of [
    '*',
    'a1',
    '* 1 FETCH (UID 1',
    '* 1 FETCH UID 1)',
    '* X "unterminated',
    '* X [oops',
    '* X \x01',
  ]) {
    assert.throws(() => parseResponse([seg(bad)]), ImapResponseError, bad);
  }
  const deep = `* X ${'('.repeat(100_000)}${')'.repeat(100_000)}`;
  assert.throws(() => parseResponse([seg(deep)]), /nested too deeply/);
  const ok = `* X ${'('.repeat(IMAP_CLIENT_LIMITS.maxNestingDepth - 1)}${')'.repeat(IMAP_CLIENT_LIMITS.maxNestingDepth - 1)}`;
  assert.doesNotThrow(() => parseResponse([seg(ok)]));
  const random = prng(16);
  const alphabet = '* ()"\\{}[]<>0123456789 ABCNIL\x00\x7f\xff';
  for (let i = 0; i < 5000; i++) {
    let line = '';
    const n = Math.floor(random() * 40);
    for (let j = 0; j < n; j++) line += alphabet[Math.floor(random() * alphabet.length)] ?? '';
    try {
      parseResponse([seg(line)]);
    } catch (err) {
      assert.ok(err instanceof ImapResponseError, `${JSON.stringify(line)}: ${String(err)}`);
    }
  }
});

/** A server that greets and then answers every line with `reply`. */
async function hostile(
  reply: (socket: Socket) => void,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.write('* OK [CAPABILITY IMAP4rev1 STARTTLS] hostile\r\n');
    socket.once('data', () => {
      reply(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('ImapClient refuses a literal over its cap, an endless line and a BYE, with clear errors', async () => {
  const cases: { name: string; reply: (s: Socket) => void; error: RegExp }[] = [
    {
      name: 'a literal claiming 4 GB',
      reply: (s) => s.write('* 1 FETCH (BODY[] {4294967296}\r\nabc'),
      error: /a literal of 4294967296 octets/,
    },
    {
      name: 'an endless line',
      reply: (s) => {
        const chunk = Buffer.alloc(256 * 1024, 0x41);
        for (let i = 0; i < 8 && !s.destroyed; i++) s.write(chunk);
      },
      error: /a response line over/,
    },
    {
      name: 'BYE',
      reply: (s) => s.write('* BYE go away\r\n'),
      error: /the server closed the session: go away/,
    },
    { name: 'garbage', reply: (s) => s.write('o1\r\n'), error: /malformed response/ },
  ];
  for (const c of cases) {
    const server = await hostile(c.reply);
    try {
      await assert.rejects(
        ImapClient.connect({ host: '127.0.0.1', port: server.port, security: 'starttls', timeoutMs: 5000 }),
        (err: Error & { code?: string }) => {
          assert.match(err.message, c.error, c.name);
          return true;
        },
      );
    } finally {
      await server.close();
    }
  }
});
