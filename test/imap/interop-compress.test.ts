// COMPRESS=DEFLATE (RFC 4978) against the suite's IMAP server over real sockets: a raw Node
// socket with node:zlib checks that what crosses the wire after the OK is raw DEFLATE (no
// plaintext reply in it, a Z_SYNC_FLUSH marker ending each burst), a second COMPRESS is NO
// [COMPRESSIONACTIVE], UNAUTHENTICATE ends compression after its compressed OK, and a
// decompression bomb (a deflated 64 MiB line) meets the same line limit as plain input: BAD
// [TOOBIG], BYE and close, with memory bounded on the way. imapflow, which asks for COMPRESS
// whenever it is offered, works through STARTTLS + COMPRESS (LIST, APPEND, FETCH, IDLE woken by
// a delivery) and the server tears the connection down after its LOGOUT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { constants, createDeflateRaw, createInflateRaw, deflateRawSync, type DeflateRaw } from 'node:zlib';
import { ImapFlow } from 'imapflow';
import { recordTranscript } from '../../src/testing/index.js';
import { eventually } from '../helpers/eventually.js';
import { ALICE, startImapOutpost, testMessage } from './helpers/imap-outpost.js';

const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** A hand-made IMAP client: plain lines, then raw DEFLATE both ways after `compress()`. */
class ZClient {
  readonly socket: Socket;
  /** Every octet received after compression started, as it came off the wire. */
  readonly wire: Buffer[] = [];
  #text = '';
  #deflate: DeflateRaw | null = null;
  #ended = false;
  #waiters: (() => void)[] = [];
  #inflate = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH });

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.#deflate === null) this.#add(chunk.toString('latin1'));
      else {
        this.wire.push(chunk);
        this.#inflate.write(chunk);
      }
    });
    const ended = (): void => {
      this.#ended = true;
      this.#wake();
    };
    // Inflation is asynchronous: the socket may close before the last replies come out of it.
    const closed = (): void => {
      if (this.#deflate === null) ended();
      else {
        this.#inflate.once('close', ended);
        this.#inflate.end();
      }
    };
    socket.on('close', closed);
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<ZClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new ZClient(socket);
  }

  #add(text: string): void {
    this.#text += text;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** The next line (null once the server closed). */
  async line(): Promise<string | null> {
    for (;;) {
      const i = this.#text.indexOf('\r\n');
      if (i >= 0) {
        const line = this.#text.slice(0, i);
        this.#text = this.#text.slice(i + 2);
        return line;
      }
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Lines up to and including the one starting with `tag `. */
  async reply(tag: string): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      if (line === null) throw new Error(`closed before ${tag}: ${lines.join(' | ')}`);
      lines.push(line);
      if (line.startsWith(`${tag} `)) return lines;
    }
  }

  /** Sends a line (compressed and sync-flushed once compression is on). */
  send(line: string): void {
    this.sendRaw(Buffer.from(`${line}\r\n`, 'latin1'));
  }

  sendRaw(data: Buffer): void {
    if (this.#deflate === null) this.socket.write(data);
    else {
      this.#deflate.write(data);
      this.#deflate.flush(constants.Z_SYNC_FLUSH);
    }
  }

  /** From now on, both directions are raw DEFLATE (after the server's OK). */
  compress(): void {
    this.#inflate = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH });
    this.#inflate.on('error', () => undefined);
    this.#inflate.on('data', (chunk: Buffer) => {
      this.#add(chunk.toString('latin1'));
    });
    const deflate = createDeflateRaw();
    deflate.on('data', (chunk: Buffer) => this.socket.write(chunk));
    this.#deflate = deflate;
  }

  /** Back to plain both ways (after UNAUTHENTICATE's OK). */
  uncompress(): void {
    this.#deflate = null;
  }

  async closed(): Promise<void> {
    while (!this.#ended) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

async function loggedIn(port: number): Promise<ZClient> {
  const c = await ZClient.open(port);
  assert.match((await c.line()) ?? '', /^\* OK /);
  c.send(`a LOGIN ${ALICE.address} "${ALICE.password}"`);
  const [ok] = await c.reply('a');
  assert.match(ok ?? '', /^a OK \[CAPABILITY .* COMPRESS=DEFLATE .*\] Logged in$/);
  return c;
}

test('raw socket + zlib: DEFLATE on the wire after the OK, COMPRESSIONACTIVE, UNAUTHENTICATE ends it', async () => {
  await using imap = await startImapOutpost();
  await imap.deliver(ALICE.address, testMessage(1, 'x'.repeat(2000)));
  const c = await loggedIn(imap.port);
  c.send('b COMPRESS DEFLATE');
  assert.deepEqual(await c.reply('b'), ['b OK DEFLATE active']);
  c.compress();
  c.send('c SELECT INBOX');
  const selected = await c.reply('c');
  assert.equal(selected.at(-1), 'c OK [READ-WRITE] SELECT completed');
  c.send('d FETCH 1 (BODY.PEEK[])');
  const fetched = await c.reply('d');
  assert.equal(fetched.at(-1), 'd OK FETCH completed');
  assert.ok(fetched.some((l) => l.includes('x'.repeat(100))));
  c.send('e COMPRESS DEFLATE');
  assert.deepEqual(await c.reply('e'), ['e NO [COMPRESSIONACTIVE] DEFLATE is already active']);
  c.send('f CAPABILITY');
  assert.doesNotMatch((await c.reply('f'))[0] ?? '', /COMPRESS=DEFLATE/);
  // What came over the wire is deflate: no reply in clear, each burst ends in a sync flush, and
  // the 2000 repeated octets of the body did not cross as 2000 octets.
  const wire = Buffer.concat(c.wire);
  for (const text of ['SELECT completed', 'FETCH completed', 'COMPRESSIONACTIVE', 'xxxxxxxxxx']) {
    assert.ok(!wire.includes(text), `${text} in clear on the wire`);
  }
  assert.ok(wire.subarray(-4).equals(SYNC_FLUSH_MARKER), 'the last burst ends in a sync flush');
  assert.ok(wire.length < 1500, `${wire.length} octets on the wire`);
  // UNAUTHENTICATE: its OK still compressed, then plain both ways; COMPRESS works again.
  c.send('g UNAUTHENTICATE');
  assert.deepEqual(await c.reply('g'), ['g OK UNAUTHENTICATE completed']);
  c.uncompress();
  const before = Buffer.concat(c.wire).length;
  c.send(`h LOGIN ${ALICE.address} "${ALICE.password}"`);
  assert.match((await c.reply('h'))[0] ?? '', /^h OK \[CAPABILITY .*COMPRESS=DEFLATE.*\] Logged in$/);
  assert.equal(Buffer.concat(c.wire).length, before, 'the LOGIN reply came in clear');
  c.send('i COMPRESS DEFLATE');
  assert.deepEqual(await c.reply('i'), ['i OK DEFLATE active']);
  c.compress();
  c.send('j LOGOUT');
  assert.deepEqual(await c.reply('j'), ['* BYE Logging out', 'j OK LOGOUT completed']);
  await c.closed();
});

test('a decompression bomb meets the line limit: BAD [TOOBIG], BYE, close; memory stays bounded', async () => {
  await using imap = await startImapOutpost();
  const c = await loggedIn(imap.port);
  c.send('b COMPRESS DEFLATE');
  assert.deepEqual(await c.reply('b'), ['b OK DEFLATE active']);
  c.compress();
  // 64 MiB of one octet and no line end deflate to about 64 KiB.
  const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 0x41), { level: 9 });
  assert.ok(bomb.length < 128 * 1024);
  const baseline = process.memoryUsage().arrayBuffers;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }, 5);
  try {
    c.socket.write(bomb);
    assert.equal(await c.line(), '* BAD [TOOBIG] Line too long');
    assert.equal(await c.line(), '* BYE Line too long; closing');
    await c.closed();
  } finally {
    clearInterval(sampler);
  }
  assert.ok(peak - baseline < 24 * 1024 * 1024, `array buffers grew by ${peak - baseline} octets`);
});

test('imapflow through STARTTLS + COMPRESS: LIST, APPEND, FETCH, IDLE woken by a delivery, LOGOUT', async () => {
  await using imap = await startImapOutpost();
  const wire = recordTranscript((e) => e.protocol === 'imap');
  const client = new ImapFlow({
    host: 'localhost',
    port: imap.port,
    secure: false,
    auth: { user: ALICE.address, pass: ALICE.password },
    tls: { ca: [imap.ca] },
    logger: false,
  });
  try {
    await client.connect();
    const boxes = await client.list();
    assert.ok(boxes.some((b) => b.path === 'INBOX'));
    const appended = await client.append('INBOX', testMessage(7, 'appended through deflate'));
    assert.ok(appended !== false);
    const lock = await client.getMailboxLock('INBOX');
    try {
      const message = await client.fetchOne(
        String(appended.uid),
        { source: true, envelope: true },
        { uid: true },
      );
      assert.ok(message !== false);
      assert.equal(message.envelope?.subject, 'test message 7');
      assert.match(message.source?.toString() ?? '', /appended through deflate/);
      const exists = new Promise<number>((resolve) => {
        client.on('exists', (info: { count: number }) => {
          resolve(info.count);
        });
      });
      const idle = client.idle();
      await eventually(() => wire.entries.some((e) => e.text === '+ idling'));
      await imap.deliver(ALICE.address, testMessage(8));
      assert.equal(await exists, 2);
      void idle;
    } finally {
      lock.release();
    }
    await client.logout();
  } finally {
    wire.stop();
    client.close();
  }
  const lines = wire.entries.map((e) => `${e.direction}: ${e.text}`);
  const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
  assert.ok(at(/TLS established/) >= 0, lines.join('\n'));
  assert.ok(at(/^C: \S+ COMPRESS DEFLATE$/) > at(/TLS established/), lines.join('\n'));
  assert.ok(at(/DEFLATE compression started/) > at(/^C: \S+ COMPRESS DEFLATE$/), lines.join('\n'));
});
