// Real clients' commands through our parser: Python's imaplib and curl talk to a minimal server that
// reads with the line layer exactly as the session will (LineConnection.readLine, `+` for a
// synchronising literal, readExactly) and answers OK to everything it parses. Every command
// imaplib sends must parse, with the values the Python script meant (its quoting of
// passwords and mailbox names, literals for 8-bit search strings, APPEND's date and flags);
// and imaplib must read our FETCH response, literals included, as we wrote it. curl's own quoting
// of a user, a password and a mailbox name (from its URL) must parse too.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { LineConnection } from '../../../src/core/line/connection.js';
import {
  capabilityResponse,
  CommandParser,
  continuation,
  FetchResponseBuilder,
  statusLine,
  type Command,
} from '../../../src/imap/codec/index.js';
import { EMPTY_ENVELOPE } from '../../../src/mail/message/envelope.js';
import { IMAP_LINE_OPTIONS } from '../../../src/imap/limits.js';
import { run } from '../../helpers/run.js';

const HEADER = Buffer.from('From: Ann <ann@example.test>\r\nSubject: =?utf-8?q?hi?=\r\n\r\n');

const CAPABILITIES = [
  'IMAP4rev1',
  'LITERAL+',
  'ENABLE',
  'UTF8=ACCEPT',
  'ID',
  'MOVE',
  'UIDPLUS',
  'NAMESPACE',
  'UNSELECT',
  'AUTH=PLAIN',
];

/** One connection: parse every command imaplib sends, record it, answer OK (or BAD with the reason). */
async function serve(socket: Socket, seen: (Command | string)[], capabilities = CAPABILITIES): Promise<void> {
  const conn = new LineConnection(socket, {
    protocol: 'imap',
    ...IMAP_LINE_OPTIONS,
    remoteAddress: '127.0.0.1',
  });
  const parser = new CommandParser();
  conn.writeLine(`* OK [CAPABILITY ${capabilities.join(' ')}] ready`);
  for (;;) {
    const read = await conn.readLine({ command: !parser.inCommand });
    if (read.kind !== 'line') break;
    let step = parser.push(read.raw);
    while (step.kind === 'literal') {
      if (step.sync) conn.writeLine(continuation('Ready for literal data'));
      const data = await conn.readExactly(step.size);
      if (data.kind !== 'bytes') return;
      parser.pushLiteral(data.data);
      const next = await conn.readLine();
      if (next.kind !== 'line') return;
      step = parser.push(next.raw);
    }
    if (step.kind === 'error') {
      seen.push(`BAD ${step.reason}`);
      conn.writeLine(statusLine(step.tag, step.status, step.reason));
      continue;
    }
    if (step.kind !== 'command') continue;
    const c = step.command;
    seen.push(c);
    if (c.name === 'CAPABILITY') conn.writeLine(capabilityResponse(capabilities));
    if (c.name === 'FETCH' && !c.uid) {
      // Our FETCH response with literals (an 8-bit subject, a header section) as imaplib reads it.
      const chunks = new FetchResponseBuilder(1)
        .uid(5)
        .flags(['\\Seen'])
        .envelope({ ...EMPTY_ENVELOPE, subject: 'Grüße', messageId: '<a@b>' })
        .section(c.items[2]!, HEADER)
        .finish();
      await conn.response(async (w) => {
        for (const chunk of chunks) await w.writeRaw(chunk);
      });
    }
    if (c.name === 'AUTHENTICATE') {
      conn.writeLine(continuation());
      const response = await conn.readLine();
      if (response.kind !== 'line') return;
      seen.push(`SASL ${Buffer.from(response.text, 'base64').toString('latin1')}`);
    }
    if (c.name === 'ENABLE' && c.capabilities.includes('UTF8=ACCEPT')) {
      parser.utf8Names = true;
      conn.writeLine('* ENABLED UTF8=ACCEPT');
    }
    conn.writeLine(statusLine(c.tag, c.name === 'LOGOUT' ? 'OK' : 'OK', 'done'));
    if (c.name === 'LOGOUT') break;
  }
  await conn.close();
}

const SCRIPT = String.raw`
import imaplib, sys, time
port = int(sys.argv[1])
M = imaplib.IMAP4('127.0.0.1', port)
M.login('alice@example.test', 'p"a ss\\w(rd)')
M.select('"Sent Items"')
M.select('INBOX', readonly=True)
M.create('Projects/&ZeVnLIqe-')
M.rename('Projects/&ZeVnLIqe-', 'Archive/2026')
M.subscribe('Archive/2026')
M.unsubscribe('Archive/2026')
M.status('INBOX', '(MESSAGES UIDNEXT UNSEEN)')
M.list('""', '*')
M.lsub('""', '"Archive/*"')
M.namespace()
M.search(None, 'OR', 'FROM', '"Ann Smith"', 'SINCE', '1-Feb-2026')
M.literal = 'Grüße'.encode('utf-8')
M.search('UTF-8', 'SUBJECT')
M.uid('SEARCH', 'UID', '1:*', 'UNSEEN')
typ, fetched = M.fetch('1:3', '(UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]<0.512>)')
M.uid('FETCH', '4:*', '(BODYSTRUCTURE RFC822.SIZE)')
M.store('2', '+FLAGS.SILENT', r'(\Deleted $Junk)')
M.uid('STORE', '7', '-FLAGS', r'\Seen')
M.copy('1:2', 'Archive/2026')
M.uid('MOVE', '3', 'Trash')
M.uid('COPY', '5', 'Trash')
M.append('Drafts', r'(\Draft \Seen)', imaplib.Time2Internaldate(time.mktime((2026, 12, 7, 18, 0, 0, 0, 1, -1))), b'Subject: draft\r\n\r\nbody with a NUL-free line\r\n')
M.check()
M.expunge()
M.unselect()
M.close() if M.state == 'SELECTED' else None
M.xatom('ID', '("name" "imaplib" "version" NIL)')
M.noop()
M.enable('UTF8=ACCEPT')
M.select('"Boîte d\'envoi"')
M.logout()
M2 = imaplib.IMAP4('127.0.0.1', port)
M2.authenticate('PLAIN', lambda _: b'\0bob@example.test\0secret')
M2.logout()
import json
print(json.dumps([[p.decode('utf-8') for p in x] if isinstance(x, tuple) else x.decode('utf-8') for x in fetched]))
`;

test('python3 imaplib: every command it sends parses, with the values it meant', async () => {
  const seen: (Command | string)[] = [];
  const sessions: Promise<void>[] = [];
  const server = createServer((socket) => sessions.push(serve(socket, seen)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const result = await run('python3', ['-c', SCRIPT, String(port)]);
    assert.equal(result.code, 0, result.stderr);
    // imaplib splits a response at each literal: [text before, literal octets] pairs, then the rest.
    assert.deepEqual(JSON.parse(result.stdout.toString()), [
      ['1 (UID 5 FLAGS (\\Seen) ENVELOPE (NIL {7}', 'Grüße'],
      [' NIL NIL NIL NIL NIL NIL NIL "<a@b>") BODY[HEADER.FIELDS (FROM SUBJECT)]<0> {57}', HEADER.toString()],
      ')',
    ]);
    await Promise.all(sessions);
  } finally {
    server.close();
  }
  const bad = seen.filter((s) => typeof s === 'string' && s.startsWith('BAD'));
  assert.deepEqual(bad, [], 'nothing imaplib sent was refused');
  const commands = seen.filter((s): s is Command => typeof s !== 'string');
  const byName = (name: string) => commands.filter((c) => c.name === name);

  const login = byName('LOGIN')[0];
  assert.ok(login?.name === 'LOGIN');
  assert.equal(login.user, 'alice@example.test');
  assert.equal(login.password, 'p"a ss\\w(rd)', 'imaplib quoting of a password with " \\ ( and a space');

  const selects = byName('SELECT');
  assert.ok(selects[0]?.name === 'SELECT' && selects[0].mailbox === 'Sent Items');
  assert.ok(
    selects[1]?.name === 'SELECT' && selects[1].mailbox === "Boîte d'envoi",
    'UTF-8 name after ENABLE UTF8=ACCEPT',
  );
  assert.ok(byName('EXAMINE')[0]?.name === 'EXAMINE');
  const create = byName('CREATE')[0];
  assert.ok(create?.name === 'CREATE' && create.mailbox === 'Projects/日本語');
  const rename = byName('RENAME')[0];
  assert.ok(rename?.name === 'RENAME' && rename.to === 'Archive/2026');
  const status = byName('STATUS')[0];
  assert.ok(status?.name === 'STATUS');
  assert.deepEqual(status.items, ['MESSAGES', 'UIDNEXT', 'UNSEEN']);
  const list = byName('LIST')[0];
  assert.ok(list?.name === 'LIST' && list.patterns[0] === '*');
  const lsub = byName('LSUB')[0];
  assert.ok(lsub?.name === 'LSUB' && lsub.pattern === 'Archive/*');

  const searches = byName('SEARCH');
  assert.equal(searches.length, 3);
  const utf8Search = searches[1];
  assert.ok(utf8Search?.name === 'SEARCH');
  assert.equal(utf8Search.charset, 'UTF-8');
  assert.deepEqual(
    utf8Search.criteria,
    { kind: 'header', field: 'SUBJECT', value: 'Grüße' },
    'an 8-bit literal',
  );
  assert.ok(searches[2]?.name === 'SEARCH' && searches[2].uid);

  const fetches = byName('FETCH');
  assert.ok(fetches[0]?.name === 'FETCH');
  assert.deepEqual(fetches[0].items[2], {
    kind: 'BODY[]',
    peek: true,
    section: { part: [], text: 'HEADER.FIELDS', fields: ['FROM', 'SUBJECT'] },
    partial: { offset: 0, length: 512 },
  });
  assert.ok(fetches[1]?.name === 'FETCH' && fetches[1].uid);

  const stores = byName('STORE');
  assert.ok(stores[0]?.name === 'STORE');
  assert.deepEqual(
    [stores[0].operation, stores[0].silent, stores[0].flags],
    ['add', true, ['\\Deleted', '$Junk']],
  );
  assert.ok(stores[1]?.name === 'STORE' && stores[1].uid && stores[1].operation === 'remove');

  assert.ok(byName('MOVE')[0]?.name === 'MOVE');
  assert.equal(byName('COPY').length, 2);
  const append = byName('APPEND')[0];
  assert.ok(append?.name === 'APPEND');
  assert.deepEqual(append.flags, ['\\Draft', '\\Seen']);
  assert.equal(append.message.toString(), 'Subject: draft\r\n\r\nbody with a NUL-free line\r\n');
  assert.ok(append.date instanceof Date, 'Time2Internaldate parses');

  const id = byName('ID')[0];
  assert.ok(id?.name === 'ID');
  assert.deepEqual(id.params, [
    ['name', 'imaplib'],
    ['version', null],
  ]);
  assert.ok(seen.includes('SASL \0bob@example.test\0secret'), 'AUTHENTICATE PLAIN');
  for (const name of [
    'CAPABILITY',
    'NAMESPACE',
    'CHECK',
    'EXPUNGE',
    'UNSELECT',
    'NOOP',
    'ENABLE',
    'SUBSCRIBE',
    'UNSUBSCRIBE',
    'LOGOUT',
  ]) {
    assert.ok(byName(name).length > 0, `${name} was sent and parsed`);
  }
});

test('curl imap://: its quoting of a user, a password and a mailbox name parses', async () => {
  const seen: (Command | string)[] = [];
  const sessions: Promise<void>[] = [];
  // Without AUTH= capabilities curl logs in with LOGIN, which it quotes itself.
  const server = createServer((socket) => sessions.push(serve(socket, seen, ['IMAP4rev1', 'LITERAL+'])));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    // Our stand-in server sends no message, so curl's own exit status is not the point here.
    await run('curl', [
      '-s',
      '--max-time',
      '20',
      '-u',
      'al ice:p"w\\d',
      `imap://127.0.0.1:${port}/Sent%20Items;UID=7`,
    ]);
    await Promise.all(sessions);
  } finally {
    server.close();
  }
  const commands = seen.filter((s): s is Command => typeof s !== 'string');
  assert.deepEqual(
    seen.filter((s) => typeof s === 'string'),
    [],
    'nothing curl sent was refused',
  );
  const login = commands.find((c) => c.name === 'LOGIN');
  assert.ok(login?.name === 'LOGIN');
  assert.deepEqual([login.user, login.password], ['al ice', 'p"w\\d']);
  const select = commands.find((c) => c.name === 'SELECT' || c.name === 'EXAMINE');
  assert.ok(select && (select.name === 'SELECT' || select.name === 'EXAMINE'));
  assert.equal(select.mailbox, 'Sent Items');
  const fetch = commands.find((c) => c.name === 'FETCH');
  assert.ok(fetch?.name === 'FETCH' && fetch.uid, 'curl fetches ;UID=7 with UID FETCH');
  assert.deepEqual(fetch.set, { kind: 'ranges', ranges: [{ from: 7, to: 7 }] });
});
