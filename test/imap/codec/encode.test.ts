// The response encoder: string quoting rules (and their round trip through our own parser),
// response codes, the RFC 3501 §7.4.2 ENVELOPE and BODY examples, FETCH responses as chunks,
// and the untagged data responses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BodyStructure } from '../../../src/mail/message/body-structure.js';
import type { Envelope } from '../../../src/mail/message/envelope.js';
import {
  bodyStructureText,
  chunksLength,
  CommandParser,
  continuation,
  envelopeText,
  esearchResponse,
  FetchResponseBuilder,
  formatDateTime,
  formatResponseCode,
  idResponse,
  listResponse,
  namespaceResponse,
  quoted,
  quotedLine,
  searchResponse,
  statusLine,
  statusResponse,
  stringText,
  vanishedResponse,
  type Command,
} from '../../../src/imap/codec/index.js';
import { prng } from '../../helpers/prng.js';
import { drive } from '../helpers/drive-parser.js';

describe('strings', () => {
  test('quoted when possible, escaped; literal for CR/LF/NUL, 8-bit (rev1) or long', () => {
    assert.equal(stringText('hello world', false), '"hello world"');
    assert.equal(stringText('a"b\\c', false), '"a\\"b\\\\c"');
    assert.equal(stringText('line\r\nbreak', false), '{11}\r\nline\r\nbreak');
    assert.equal(stringText('Über', false), '{5}\r\nÜber', 'octets, not characters');
    assert.equal(stringText('Über', true), '"Über"', 'utf8-quoted for UTF-8 clients');
    assert.equal(quoted('x'.repeat(1025), false), null);
    assert.equal(quotedLine('日本語', true), '"日本語"');
    assert.throws(() => quotedLine('a\r\nb', true), /one response line/);
  });
  test('every string the encoder writes parses back to itself (LOGIN user password)', () => {
    const rand = prng(16);
    const pool = ['a', ' ', '"', '\\', '\r', '\n', '\t', 'é', '日', '{', '}', '(', ')', '*', '%', ']', 'NIL'];
    for (let i = 0; i < 500; i++) {
      const words = [0, 1].map(() => {
        let s = '';
        const n = 1 + Math.floor(rand() * 10);
        for (let k = 0; k < n; k++) s += pool[Math.floor(rand() * pool.length)]!;
        return s;
      });
      const utf8 = rand() < 0.5;
      const input = Buffer.from(`t LOGIN ${stringText(words[0]!, utf8)} ${stringText(words[1]!, utf8)}\r\n`);
      const out = drive(new CommandParser(), input);
      assert.equal(out.length, 1);
      const r = out[0]!;
      assert.equal(r.kind, 'command', JSON.stringify({ words, r }));
      const c = (r as { command: Command }).command;
      assert.ok(c.name === 'LOGIN');
      assert.deepEqual([c.user, c.password], words);
    }
  });
});

describe('status lines and codes', () => {
  test('RFC 5530, UIDPLUS and CONDSTORE codes', () => {
    assert.equal(
      statusLine('a1', 'NO', 'bad credentials', { code: 'AUTHENTICATIONFAILED' }),
      'a1 NO [AUTHENTICATIONFAILED] bad credentials',
    );
    assert.equal(statusLine(null, 'OK', 'ready'), '* OK ready');
    assert.equal(statusLine('a', 'NO', 'x\r\ny'), 'a NO x  y', 'no CR/LF from text');
    assert.equal(
      formatResponseCode({ code: 'APPENDUID', uidValidity: 38505, uids: [3955] }),
      '[APPENDUID 38505 3955]',
    );
    assert.equal(
      formatResponseCode({
        code: 'COPYUID',
        uidValidity: 38505,
        sourceUids: [304, 319, 320],
        destinationUids: [3956, 3957, 3958],
      }),
      '[COPYUID 38505 304,319:320 3956:3958]',
    );
    assert.equal(
      formatResponseCode({ code: 'PERMANENTFLAGS', flags: ['\\Deleted', '\\Seen', '\\*'] }),
      '[PERMANENTFLAGS (\\Deleted \\Seen \\*)]',
    );
    assert.equal(
      formatResponseCode({ code: 'HIGHESTMODSEQ', value: 715194045007 }),
      '[HIGHESTMODSEQ 715194045007]',
    );
    assert.equal(formatResponseCode({ code: 'MODIFIED', set: [7, 9, 8] }), '[MODIFIED 7:9]');
    assert.equal(
      formatResponseCode({ code: 'BADCHARSET', charsets: ['UTF-8', 'US-ASCII'] }),
      '[BADCHARSET (UTF-8 US-ASCII)]',
    );
    for (const code of [
      'TOOBIG',
      'NONEXISTENT',
      'ALREADYEXISTS',
      'TRYCREATE',
      'CLOSED',
      'UIDNOTSTICKY',
    ] as const) {
      assert.equal(formatResponseCode({ code }), `[${code}]`);
    }
    assert.equal(continuation('Ready for literal'), '+ Ready for literal');
    assert.equal(continuation(), '+ ');
  });
  test('INTERNALDATE', () => {
    assert.equal(formatDateTime(new Date('1996-07-17T09:44:25Z')), '"17-Jul-1996 09:44:25 +0000"');
  });
});

// RFC 3501 §7.4.2's FETCH example, as stored data.
const envelope: Envelope = {
  date: 'Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
  subject: 'IMAP4rev1 WG mtg summary and minutes',
  from: [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }],
  sender: null,
  replyTo: null,
  to: [{ name: null, adl: null, mailbox: 'imap', host: 'cac.washington.edu' }],
  cc: [
    { name: null, adl: null, mailbox: 'minutes', host: 'CNRI.Reston.VA.US' },
    { name: 'John Klensin', adl: null, mailbox: 'KLENSIN', host: 'MIT.EDU' },
  ],
  bcc: null,
  inReplyTo: null,
  messageId: '<B27397-0100000@cac.washington.edu>',
};

const range = { headerStart: 0, bodyStart: 0, bodyEnd: 0 };
const noExt = { disposition: null, language: null, location: null, md5: null, range };
const body: BodyStructure = {
  kind: 'multipart',
  subtype: 'MIXED',
  params: [['BOUNDARY', 'xyz']],
  disposition: null,
  language: null,
  location: null,
  range,
  parts: [
    {
      ...noExt,
      kind: 'text',
      type: 'TEXT',
      subtype: 'PLAIN',
      params: [['CHARSET', 'US-ASCII']],
      id: null,
      description: null,
      encoding: '7BIT',
      size: 1152,
      lines: 23,
    },
    {
      ...noExt,
      kind: 'text',
      type: 'TEXT',
      subtype: 'PLAIN',
      params: [
        ['CHARSET', 'US-ASCII'],
        ['NAME', 'cc.diff'],
      ],
      id: '<960723163407.20117h@cac.washington.edu>',
      description: 'Compiler diff',
      encoding: 'BASE64',
      size: 4554,
      lines: 73,
      disposition: { type: 'attachment', params: [['filename', 'cc.diff']] },
      language: ['en'],
    },
  ],
};

describe('ENVELOPE and BODYSTRUCTURE', () => {
  test('the RFC 3501 §7.4.2 ENVELOPE, with From standing in for Sender and Reply-To', () => {
    assert.equal(
      envelopeText(envelope, false),
      '("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>")',
    );
  });
  test('groups and 8-bit subjects', () => {
    const env: Envelope = {
      ...envelope,
      subject: 'Grüße',
      to: [
        { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
        { name: null, adl: null, mailbox: null, host: null },
      ],
    };
    const text = envelopeText(env, false);
    assert.ok(text.includes('{7}\r\nGrüße'), 'an 8-bit subject is a literal for rev1');
    assert.ok(text.includes('((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))'));
    assert.ok(envelopeText(env, true).includes('"Grüße"'));
  });
  test('the RFC 3501 §7.4.2 BODY, and BODYSTRUCTURE with extension data', () => {
    assert.equal(
      bodyStructureText(body, false, false),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")',
    );
    assert.equal(
      bodyStructureText(body, true, false),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23 NIL NIL NIL NIL)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73 NIL ("attachment" ("filename" "cc.diff")) "en" NIL) "MIXED" ("BOUNDARY" "xyz") NIL NIL NIL)',
    );
  });
  test('message/rfc822 parts carry envelope, body and lines; an empty multipart stays valid', () => {
    const inner: BodyStructure = {
      ...noExt,
      kind: 'basic',
      type: 'APPLICATION',
      subtype: 'PDF',
      params: null,
      id: null,
      description: null,
      encoding: 'BASE64',
      size: 10,
    };
    const msg: BodyStructure = {
      ...noExt,
      kind: 'message',
      type: 'MESSAGE',
      subtype: 'RFC822',
      params: null,
      id: null,
      description: null,
      encoding: '7BIT',
      size: 500,
      envelope,
      body: inner,
      lines: 12,
    };
    const text = bodyStructureText(msg, false, false);
    assert.ok(text.startsWith('("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 500 ("Wed, 17 Jul'));
    assert.ok(text.endsWith('("APPLICATION" "PDF" NIL NIL NIL "BASE64" 10) 12)'));
    const empty: BodyStructure = {
      kind: 'multipart',
      subtype: 'MIXED',
      params: null,
      parts: [],
      disposition: null,
      language: null,
      location: null,
      range,
    };
    assert.equal(bodyStructureText(empty, false, false), '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0) "MIXED")');
  });
});

describe('FETCH responses', () => {
  test('items in order, bodies as uncopied literal chunks', () => {
    const message = Buffer.from('Subject: x\r\n\r\nhello\r\n');
    const header = message.subarray(0, 14);
    const chunks = new FetchResponseBuilder(12)
      .uid(4827313)
      .flags(['\\Seen', '$Forwarded'])
      .rfc822Size(message.length)
      .modSeq(12121231000)
      .section(
        { kind: 'BODY[]', peek: true, section: { part: [], text: 'HEADER', fields: [] }, partial: null },
        header,
      )
      .section(
        {
          kind: 'BODY[]',
          peek: false,
          section: { part: [1], text: null, fields: [] },
          partial: { offset: 2, length: 3 },
        },
        message.subarray(16, 19),
      )
      .section(
        { kind: 'BODY[]', peek: false, section: { part: [9], text: null, fields: [] }, partial: null },
        null,
      )
      .finish();
    assert.equal(chunks[1], header, 'the same Buffer, not a copy');
    const wire = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).toString();
    assert.equal(
      wire,
      '* 12 FETCH (UID 4827313 FLAGS (\\Seen $Forwarded) RFC822.SIZE 21 MODSEQ (12121231000) BODY[HEADER] {14}\r\nSubject: x\r\n\r\n BODY[1]<2> {3}\r\nllo BODY[9] NIL)\r\n',
    );
    assert.equal(chunksLength(chunks), Buffer.byteLength(wire));
  });
  test('HEADER.FIELDS names and BINARY with NUL as literal8', () => {
    const chunks = new FetchResponseBuilder(1)
      .section(
        {
          kind: 'BODY[]',
          peek: true,
          section: { part: [1, 2], text: 'HEADER.FIELDS', fields: ['FROM', 'TO'] },
          partial: null,
        },
        Buffer.from('From: a\r\n\r\n'),
      )
      .section({ kind: 'BINARY[]', peek: false, part: [2], partial: null }, [
        Buffer.from('a\0'),
        Buffer.from('b'),
      ])
      .binarySize({ kind: 'BINARY.SIZE', part: [2] }, 3)
      .envelope(envelope)
      .internalDate(new Date('2026-12-07T17:00:00Z'))
      .bodyStructure(body, false)
      .finish();
    const wire = chunks.map((c) => c.toString()).join('');
    assert.ok(
      wire.startsWith(
        '* 1 FETCH (BODY[1.2.HEADER.FIELDS (FROM TO)] {11}\r\nFrom: a\r\n\r\n BINARY[2] ~{3}\r\na\0b BINARY.SIZE[2] 3 ENVELOPE ("Wed',
      ),
    );
    assert.ok(wire.includes('INTERNALDATE "07-Dec-2026 17:00:00 +0000" BODY (('));
    assert.ok(wire.endsWith('"MIXED"))\r\n'));
  });
});

describe('untagged data responses', () => {
  test('LIST, STATUS, ESEARCH, SEARCH, VANISHED, NAMESPACE, ID', () => {
    assert.equal(
      listResponse(
        { attributes: ['\\HasNoChildren', '\\Sent'], delimiter: '/', name: 'Gesendete Objekte/日本' },
        false,
      ),
      '* LIST (\\HasNoChildren \\Sent) "/" "Gesendete Objekte/&ZeVnLA-"',
    );
    assert.equal(
      listResponse({ attributes: [], delimiter: '/', name: 'a"b', childInfo: ['SUBSCRIBED'] }, true),
      '* LIST () "/" "a\\"b" ("CHILDINFO" ("SUBSCRIBED"))',
    );
    assert.equal(
      listResponse({ attributes: ['\\Subscribed'], delimiter: '/', name: 'x' }, false, 'LSUB'),
      '* LSUB (\\Subscribed) "/" "x"',
    );
    assert.equal(
      statusResponse(
        'INBOX',
        [
          ['MESSAGES', 231],
          ['UIDNEXT', 44292],
        ],
        false,
      ),
      '* STATUS "INBOX" (MESSAGES 231 UIDNEXT 44292)',
    );
    assert.equal(
      esearchResponse({ tag: 'A282', uid: false, options: ['MIN', 'COUNT'], matches: [7, 2, 9, 3] }),
      '* ESEARCH (TAG "A282") MIN 2 COUNT 4',
    );
    assert.equal(
      esearchResponse({ tag: 'A283', uid: true, options: [], matches: [4, 5, 6, 9] }),
      '* ESEARCH (TAG "A283") UID ALL 4:6,9',
    );
    assert.equal(
      esearchResponse({ tag: 'A284', uid: false, options: ['MIN', 'MAX', 'ALL', 'COUNT'], matches: [] }),
      '* ESEARCH (TAG "A284") COUNT 0',
    );
    assert.equal(searchResponse([2, 84, 882]), '* SEARCH 2 84 882');
    assert.equal(searchResponse([]), '* SEARCH');
    assert.equal(searchResponse([2, 5], 917162500), '* SEARCH 2 5 (MODSEQ 917162500)');
    assert.equal(vanishedResponse([41, 43, 44, 45], true), '* VANISHED (EARLIER) 41,43:45');
    assert.equal(vanishedResponse([], false), null);
    assert.equal(namespaceResponse(), '* NAMESPACE (("" "/")) NIL NIL');
    assert.equal(
      idResponse([
        ['name', 'Outpost'],
        ['version', null],
      ]),
      '* ID ("name" "Outpost" "version" NIL)',
    );
    assert.equal(idResponse(null), '* ID NIL');
  });
});
