// Every command of issue 16 parsed into its typed form (RFC 9051 §6 and the extensions), and the
// BAD reasons of malformed ones.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandParser, type Command } from '../../../src/imap/codec/index.js';
import { drive } from '../helpers/drive-parser.js';

function parse(text: string, utf8Names = false): Command {
  const results = drive(new CommandParser({ utf8Names }), Buffer.from(`${text}\r\n`));
  assert.equal(results.length, 1, `one result for ${JSON.stringify(text)}`);
  const r = results[0]!;
  assert.equal(r.kind, 'command', `${text}: ${JSON.stringify(r)}`);
  return (r as { command: Command }).command;
}

function bad(text: string, reason: RegExp): void {
  const results = drive(new CommandParser(), Buffer.from(`${text}\r\n`));
  // The first result: after a refused synchronising literal the client sends no octets, so what
  // follows in `text` would be its next command.
  const r = results[0]!;
  if (r.kind !== 'error') assert.fail(`${text} should fail, got ${r.kind}`);
  assert.equal(r.status, 'BAD');
  assert.match(r.reason, reason, text);
}

const ranges = (...r: [number | '*', number | '*'][]) => ({
  kind: 'ranges',
  ranges: r.map(([from, to]) => ({ from, to })),
});

describe('commands without arguments', () => {
  for (const name of [
    'CAPABILITY',
    'NOOP',
    'LOGOUT',
    'STARTTLS',
    'NAMESPACE',
    'IDLE',
    'CLOSE',
    'UNSELECT',
    'CHECK',
    'UNAUTHENTICATE',
  ]) {
    test(name, () => {
      assert.deepEqual(parse(`a1 ${name}`), { tag: 'a1', name });
      assert.deepEqual(parse(`x.y ${name.toLowerCase()}`), { tag: 'x.y', name }, 'case-insensitive');
      bad(`a1 ${name} extra`, /unexpected characters/);
    });
  }
  test('EXPUNGE and UID EXPUNGE', () => {
    assert.deepEqual(parse('a EXPUNGE'), { tag: 'a', name: 'EXPUNGE', uids: null });
    assert.deepEqual(parse('a UID EXPUNGE 3000:3002'), {
      tag: 'a',
      name: 'EXPUNGE',
      uids: ranges([3000, 3002]),
    });
    bad('a UID EXPUNGE', /missing argument/);
  });
});

describe('authentication', () => {
  test('LOGIN with atoms, quoted strings with escapes, and literals', () => {
    assert.deepEqual(parse('a LOGIN alice secret'), {
      tag: 'a',
      name: 'LOGIN',
      user: 'alice',
      password: 'secret',
    });
    assert.deepEqual(parse('a LOGIN "al ice" "p\\"w\\\\d"'), {
      tag: 'a',
      name: 'LOGIN',
      user: 'al ice',
      password: 'p"w\\d',
    });
    assert.deepEqual(parse('a LOGIN {5}\r\nalice {6+}\r\nsec et'), {
      tag: 'a',
      name: 'LOGIN',
      user: 'alice',
      password: 'sec et',
    });
    bad('a LOGIN alice', /missing argument/);
    bad('a LOGIN "alice\\x" pw', /invalid escape/);
    bad('a LOGIN "alice pw', /unterminated quoted/);
  });
  test('AUTHENTICATE with and without an initial response (RFC 4959)', () => {
    assert.deepEqual(parse('a AUTHENTICATE plain'), {
      tag: 'a',
      name: 'AUTHENTICATE',
      mechanism: 'PLAIN',
      initialResponse: null,
    });
    assert.deepEqual(parse('a AUTHENTICATE PLAIN AGFsaWNlAHB3'), {
      tag: 'a',
      name: 'AUTHENTICATE',
      mechanism: 'PLAIN',
      initialResponse: 'AGFsaWNlAHB3',
    });
    assert.deepEqual(parse('a AUTHENTICATE PLAIN ='), {
      tag: 'a',
      name: 'AUTHENTICATE',
      mechanism: 'PLAIN',
      initialResponse: '',
    });
    bad('a AUTHENTICATE PLAIN not*base64', /not base64/);
  });
  test('ENABLE, ID, COMPRESS', () => {
    assert.deepEqual(parse('a ENABLE IMAP4rev2 utf8=accept'), {
      tag: 'a',
      name: 'ENABLE',
      capabilities: ['IMAP4REV2', 'UTF8=ACCEPT'],
    });
    bad('a ENABLE', /missing argument/);
    assert.deepEqual(parse('a ID NIL'), { tag: 'a', name: 'ID', params: null });
    assert.deepEqual(parse('a ID ("name" "imaplib" "version" NIL)'), {
      tag: 'a',
      name: 'ID',
      params: [
        ['name', 'imaplib'],
        ['version', null],
      ],
    });
    bad(`a ID ("${'x'.repeat(31)}" "v")`, /longer than 30/);
    bad(`a ID (${Array.from({ length: 31 }, (_, i) => `"k${i}" "v"`).join(' ')})`, /more than 30/);
    assert.deepEqual(parse('a COMPRESS deflate'), { tag: 'a', name: 'COMPRESS', mechanism: 'DEFLATE' });
  });
});

describe('mailboxes', () => {
  test('SELECT and EXAMINE with CONDSTORE and QRESYNC (RFC 7162 §3.2.5 example)', () => {
    assert.deepEqual(parse('a select inbox'), {
      tag: 'a',
      name: 'SELECT',
      mailbox: 'INBOX',
      condstore: false,
      qresync: null,
    });
    assert.deepEqual(parse('a EXAMINE Sent (CONDSTORE)'), {
      tag: 'a',
      name: 'EXAMINE',
      mailbox: 'Sent',
      condstore: true,
      qresync: null,
    });
    const q = parse('A03 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))');
    assert.ok(q.name === 'SELECT');
    assert.deepEqual(q.qresync, {
      uidValidity: 67890007,
      modSeq: 20050715194045000,
      knownUids: ranges([41, 41], [43, 211], [214, 541]),
      seqMatch: null,
    });
    const q2 = parse(
      'B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))',
    );
    assert.ok(q2.name === 'SELECT' && q2.qresync?.seqMatch);
    assert.equal(q2.qresync.seqMatch.seqs.kind, 'ranges');
    bad('a SELECT INBOX (QRESYNC (0 1))', /UIDVALIDITY/);
    bad('a SELECT INBOX (FOO)', /unknown or repeated select parameter FOO/);
  });
  test('CREATE (with RFC 6154 USE), DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE', () => {
    assert.deepEqual(parse('a CREATE Projects/2026'), {
      tag: 'a',
      name: 'CREATE',
      mailbox: 'Projects/2026',
      use: null,
    });
    assert.deepEqual(parse('a CREATE MySent (USE (\\Sent))'), {
      tag: 'a',
      name: 'CREATE',
      mailbox: 'MySent',
      use: ['\\Sent'],
    });
    assert.deepEqual(parse('a DELETE "Old Stuff"'), { tag: 'a', name: 'DELETE', mailbox: 'Old Stuff' });
    assert.deepEqual(parse('a RENAME a b'), { tag: 'a', name: 'RENAME', from: 'a', to: 'b' });
    assert.deepEqual(parse('a SUBSCRIBE x'), { tag: 'a', name: 'SUBSCRIBE', mailbox: 'x' });
    assert.deepEqual(parse('a UNSUBSCRIBE x'), { tag: 'a', name: 'UNSUBSCRIBE', mailbox: 'x' });
  });
  test('mailbox names: modified UTF-7 for rev1, UTF-8 after ENABLE, INBOX in any case', () => {
    assert.deepEqual(parse('a SELECT "&ZeVnLIqe-/&-"'), {
      tag: 'a',
      name: 'SELECT',
      mailbox: '日本語/&',
      condstore: false,
      qresync: null,
    });
    assert.deepEqual(parse('a SELECT "日本語/&ZeVnLIqe-"', true), {
      tag: 'a',
      name: 'SELECT',
      mailbox: '日本語/&ZeVnLIqe-',
      condstore: false,
      qresync: null,
    });
    assert.deepEqual(parse('a DELETE iNbOx'), { tag: 'a', name: 'DELETE', mailbox: 'INBOX' });
    bad('a SELECT "&Jjo!"', /invalid modified base64|unterminated/);
    bad('a SELECT "日本語"', /non-ASCII/);
  });
  test('LIST: basic, extended (RFC 5258), STATUS return (RFC 5819), LSUB', () => {
    assert.deepEqual(parse('a LIST "" *'), {
      tag: 'a',
      name: 'LIST',
      reference: '',
      patterns: ['*'],
      select: [],
      returns: { subscribed: false, children: false, specialUse: false, status: null },
      extended: false,
    });
    assert.deepEqual(parse('a LIST "" %/%'), {
      tag: 'a',
      name: 'LIST',
      reference: '',
      patterns: ['%/%'],
      select: [],
      returns: { subscribed: false, children: false, specialUse: false, status: null },
      extended: false,
    });
    const ext = parse(
      'A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" "Drafts" "%") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UIDNEXT))',
    );
    assert.deepEqual(ext, {
      tag: 'A02',
      name: 'LIST',
      reference: '',
      patterns: ['INBOX', 'Drafts', '%'],
      select: ['SUBSCRIBED', 'RECURSIVEMATCH'],
      returns: { subscribed: false, children: true, specialUse: true, status: ['MESSAGES', 'UIDNEXT'] },
      extended: true,
    });
    assert.equal(parse('a LIST () "" "" RETURN ()').name, 'LIST');
    bad('a LIST (RECURSIVEMATCH) "" *', /RECURSIVEMATCH needs/);
    bad('a LIST (BOGUS) "" *', /unknown LIST selection option/);
    bad('a LIST "" * RETURN (STATUS (FOO))', /unknown status item FOO/);
    assert.deepEqual(parse('a LSUB "" "*"'), { tag: 'a', name: 'LSUB', reference: '', pattern: '*' });
  });
  test('STATUS with every item', () => {
    assert.deepEqual(
      parse(
        'a STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT)',
      ),
      {
        tag: 'a',
        name: 'STATUS',
        mailbox: 'INBOX',
        items: [
          'MESSAGES',
          'UIDNEXT',
          'UIDVALIDITY',
          'UNSEEN',
          'DELETED',
          'SIZE',
          'RECENT',
          'HIGHESTMODSEQ',
          'APPENDLIMIT',
        ],
      },
    );
    bad('a STATUS INBOX ()', /empty/);
  });
  test('APPEND with flags, date-time, literal and literal8', () => {
    const msg = 'From: a@b\r\nSubject: hi\r\n\r\nbody\r\n';
    const c = parse(
      `A003 APPEND saved-messages (\\Seen $Label) " 7-Feb-1994 21:52:25 -0800" {${Buffer.byteLength(msg)}}\r\n${msg}`,
    );
    assert.ok(c.name === 'APPEND');
    assert.deepEqual(c.flags, ['\\Seen', '$Label']);
    assert.equal(c.date?.toISOString(), '1994-02-08T05:52:25.000Z');
    assert.equal(c.message.toString(), msg);
    assert.equal(c.binary, false);
    const b = parse('a APPEND INBOX ~{3}\r\na\0b');
    assert.ok(b.name === 'APPEND' && b.binary && b.message.equals(Buffer.from('a\0b')));
    const plain = parse('a APPEND INBOX {2+}\r\nhi');
    assert.ok(plain.name === 'APPEND' && plain.flags.length === 0 && plain.date === null);
    bad('a APPEND INBOX "not a literal"', /invalid date-time/);
    bad('a APPEND INBOX (\\Seen) hello', /expected the message as a literal/);
    bad('a APPEND INBOX "31-Feb-2026 00:00:00 +0000" {1}\r\nx', /invalid date-time/);
    bad('a APPEND INBOX (\\Recent) {1}\r\nx', /Recent cannot be set/);
  });
});

describe('messages', () => {
  test('FETCH macros expand', () => {
    const all = parse('a FETCH 1 ALL');
    assert.ok(all.name === 'FETCH');
    assert.deepEqual(
      all.items.map((i) => i.kind),
      ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
    );
    const fast = parse('a FETCH 1 fast');
    assert.ok(fast.name === 'FETCH');
    assert.deepEqual(
      fast.items.map((i) => i.kind),
      ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
    );
    const full = parse('a FETCH 1 FULL');
    assert.ok(full.name === 'FETCH');
    assert.deepEqual(
      full.items.map((i) => i.kind),
      ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
    );
  });
  test('FETCH items: sections, partials, BINARY, MODSEQ', () => {
    const f = parse(
      'a UID FETCH 1:* (UID FLAGS RFC822 RFC822.HEADER RFC822.TEXT RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY INTERNALDATE MODSEQ BODY[] BODY.PEEK[1.2.MIME] BODY[4.2.HEADER.FIELDS.NOT (Received "X-Spam")]<10.20> BODY[TEXT]<0.1> BINARY[1] BINARY.PEEK[2.1]<0.10> BINARY.SIZE[3])',
    );
    assert.ok(f.name === 'FETCH' && f.uid);
    assert.deepEqual(f.set, { kind: 'ranges', ranges: [{ from: 1, to: '*' }] });
    assert.equal(f.items.length, 18);
    assert.deepEqual(f.items[12], {
      kind: 'BODY[]',
      peek: true,
      section: { part: [1, 2], text: 'MIME', fields: [] },
      partial: null,
    });
    assert.deepEqual(f.items[13], {
      kind: 'BODY[]',
      peek: false,
      section: { part: [4, 2], text: 'HEADER.FIELDS.NOT', fields: ['RECEIVED', 'X-SPAM'] },
      partial: { offset: 10, length: 20 },
    });
    assert.deepEqual(f.items[15], { kind: 'BINARY[]', peek: false, part: [1], partial: null });
    assert.deepEqual(f.items[16], {
      kind: 'BINARY[]',
      peek: true,
      part: [2, 1],
      partial: { offset: 0, length: 10 },
    });
    assert.deepEqual(f.items[17], { kind: 'BINARY.SIZE', part: [3] });
    bad('a FETCH 1 (BODY[MIME])', /unknown section text MIME/);
    bad('a FETCH 1 (BODY[1.BOGUS])', /unknown section text/);
    bad('a FETCH 1 (BODY[]<0.0>)', /partial length/);
    bad('a FETCH 1 (FLAGS', /expected a single space|missing/);
    bad('a FETCH 1 (ENVELOPE[1])', /takes no section/);
    bad('a FETCH 0 FLAGS', /sequence number/);
    bad('a FETCH 1 BOGUS', /unknown fetch item BOGUS/);
  });
  test('FETCH modifiers: CHANGEDSINCE adds MODSEQ, VANISHED needs UID FETCH', () => {
    const f = parse('s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)');
    assert.ok(f.name === 'FETCH');
    assert.equal(f.changedSince, 12345);
    assert.equal(f.vanished, true);
    assert.deepEqual(
      f.items.map((i) => i.kind),
      ['FLAGS', 'MODSEQ'],
    );
    bad('a FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)', /VANISHED needs UID FETCH/);
    bad('a UID FETCH 1:* (FLAGS) (VANISHED)', /VANISHED needs UID FETCH with CHANGEDSINCE/);
    bad('a FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)', /repeated/);
  });
  test('STORE: replace/add/remove, SILENT, bare flags, UNCHANGEDSINCE', () => {
    assert.deepEqual(parse('a STORE 2:4 +FLAGS (\\Deleted)'), {
      tag: 'a',
      name: 'STORE',
      uid: false,
      set: ranges([2, 4]),
      unchangedSince: null,
      operation: 'add',
      silent: false,
      flags: ['\\Deleted'],
    });
    assert.deepEqual(parse('a UID STORE 7 (UNCHANGEDSINCE 320162338) -FLAGS.SILENT \\seen custom'), {
      tag: 'a',
      name: 'STORE',
      uid: true,
      set: ranges([7, 7]),
      unchangedSince: 320162338,
      operation: 'remove',
      silent: true,
      flags: ['\\Seen', 'custom'],
    });
    assert.deepEqual(parse('a STORE 1 FLAGS ()'), {
      tag: 'a',
      name: 'STORE',
      uid: false,
      set: ranges([1, 1]),
      unchangedSince: null,
      operation: 'replace',
      silent: false,
      flags: [],
    });
    bad('a STORE 1 +FLAGZ (\\Seen)', /FLAGS or FLAGS.SILENT/);
    bad('a STORE 1 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) FLAGS ()', /repeated store modifier/);
    bad('a STORE 1 (FOO 1) FLAGS ()', /unknown store modifier/);
    bad('a STORE 1 FLAGS (\\Recent)', /Recent cannot be set/);
  });
  test('COPY, MOVE and their UID forms', () => {
    assert.deepEqual(parse('a COPY 2:4 MEETING'), {
      tag: 'a',
      name: 'COPY',
      uid: false,
      set: ranges([2, 4]),
      mailbox: 'MEETING',
    });
    assert.deepEqual(parse('a UID MOVE 42:69 "Other Folder"'), {
      tag: 'a',
      name: 'MOVE',
      uid: true,
      set: ranges([42, 69]),
      mailbox: 'Other Folder',
    });
    assert.deepEqual(parse('a MOVE $ Trash'), {
      tag: 'a',
      name: 'MOVE',
      uid: false,
      set: { kind: 'saved' },
      mailbox: 'Trash',
    });
    bad('a UID NOOP', /unknown UID command NOOP/);
  });
});

describe('SEARCH', () => {
  const search = (text: string) => {
    const c = parse(text);
    assert.ok(c.name === 'SEARCH');
    return c;
  };
  test('every key', () => {
    const keys = [
      'ALL',
      'ANSWERED',
      'BCC x',
      'BEFORE 1-Feb-1994',
      'BODY x',
      'CC x',
      'DELETED',
      'DRAFT',
      'FLAGGED',
      'FROM x',
      'HEADER X-Foo x',
      'KEYWORD $Junk',
      'LARGER 100',
      'NEW',
      'NOT SEEN',
      'OLD',
      'ON "01-Feb-1994"',
      'OR SEEN DRAFT',
      'RECENT',
      'SEEN',
      'SENTBEFORE 1-Feb-1994',
      'SENTON 1-Feb-1994',
      'SENTSINCE 1-Feb-1994',
      'SINCE 1-Feb-1994',
      'SMALLER 5',
      'SUBJECT "a b"',
      'TEXT x',
      'TO x',
      'UID 1:5',
      'UNANSWERED',
      'UNDELETED',
      'UNDRAFT',
      'UNFLAGGED',
      'UNKEYWORD $Junk',
      'UNSEEN',
      '1:3,5',
      '(SEEN DRAFT)',
      'MODSEQ 5',
      'MODSEQ "/flags/\\\\draft" all 620162338',
      'OLDER 3600',
      'YOUNGER 60',
      '*',
      '$',
    ];
    for (const key of keys) search(`a SEARCH ${key}`);
    const all = search(`a SEARCH ${keys.join(' ')}`);
    assert.ok(all.criteria.kind === 'and');
    assert.equal(all.criteria.keys.length, keys.length);
  });
  test('the tree: OR, NOT, groups, header shorthands, dates, MODSEQ', () => {
    const s = search(
      'a UID SEARCH CHARSET utf-8 OR (FROM "Ann" SUBJECT "Über") NOT SINCE 1-Feb-1994 MODSEQ 7',
    );
    assert.equal(s.uid, true);
    assert.equal(s.charset, 'UTF-8');
    assert.deepEqual(s.criteria, {
      kind: 'and',
      keys: [
        {
          kind: 'or',
          left: {
            kind: 'and',
            keys: [
              { kind: 'header', field: 'FROM', value: 'Ann' },
              { kind: 'header', field: 'SUBJECT', value: 'Über' },
            ],
          },
          right: {
            kind: 'not',
            key: { kind: 'date', field: 'internal', op: 'since', date: { year: 1994, month: 2, day: 1 } },
          },
        },
        { kind: 'modseq', modSeq: 7, entry: null },
      ],
    });
  });
  test('ESEARCH RETURN options (RFC 4731, RFC 5182 SAVE)', () => {
    assert.deepEqual(search('a SEARCH RETURN (MIN MAX COUNT ALL SAVE) UNSEEN').returns, [
      'MIN',
      'MAX',
      'COUNT',
      'ALL',
      'SAVE',
    ]);
    assert.deepEqual(search('a SEARCH RETURN () UNSEEN').returns, []);
    assert.equal(search('a SEARCH UNSEEN').returns, null);
    bad('a SEARCH RETURN (PARTIAL 1:10) ALL', /unknown search return option PARTIAL/);
  });
  test('malformed searches', () => {
    bad('a SEARCH', /missing argument/);
    bad('a SEARCH BEFORE 30-Feb-2026', /invalid date/);
    bad('a SEARCH BEFORE 2026-02-01', /invalid date/);
    bad('a SEARCH OR SEEN', /missing argument/);
    bad('a SEARCH KEYWORD \\Seen', /keyword, not a system flag/);
    bad('a SEARCH BOGUS', /unknown search key BOGUS/);
    bad('a SEARCH (SEEN', /expected a single space|missing/);
    bad('a SEARCH LARGER -1', /expected a size/);
  });
});

describe('syntax errors carry the tag when it could be read', () => {
  test('tags', () => {
    const one = (text: string) => drive(new CommandParser(), Buffer.from(`${text}\r\n`))[0]!;
    assert.deepEqual(one('a1 FROB'), {
      kind: 'error',
      tag: 'a1',
      status: 'BAD',
      code: null,
      reason: 'unknown command FROB',
      close: false,
    });
    assert.equal((one('+x NOOP') as { tag: unknown }).tag, null, '+ cannot start a tag');
    assert.equal((one('NOOP') as { reason: string }).reason, 'missing command');
    assert.equal((one('a{b NOOP') as { tag: unknown }).tag, null);
    assert.equal((one(`${'t'.repeat(200)} NOOP`) as { tag: unknown }).tag, null, 'over maxTagOctets');
    assert.deepEqual(one(''), { kind: 'empty' });
  });
});
