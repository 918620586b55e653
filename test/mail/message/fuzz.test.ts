// Hostile input, generated: 20,000 seeded random and mutated messages through every parser of the
// message codec (header sections, MIME walking and decoding, RFC 2047 encoded words, RFC 2231
// parameters, addresses, dates, delivery-status bodies, submission fix-ups, the test-message
// view). Seeds are valid messages (built by mime-build, a DSN, hand-written multiparts); the
// mutations flip, insert, delete and duplicate bytes, truncate, add and drop boundary lines, and
// splice in hostile tokens; nesting bombs (1,000 levels of multipart and message/rfc822) and
// part floods are parsed as well. A parser may refuse input only with its documented OutpostError
// code, and the MIME tree is bounded by MESSAGE_LIMITS. The encoders round-trip random data.
// OUTPOST_FUZZ_SEED replays another sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, OutpostError } from '../../../src/core/errors.js';
import {
  buildDsn,
  buildMessage,
  completeForSubmission,
  decodeBase64,
  decodedBody,
  decodeEncodedWords,
  decodeQuotedPrintable,
  encodeBase64,
  encodeQuotedPrintable,
  encodeUnstructured,
  encodeWords,
  foldHeader,
  formatMailbox,
  formatParams,
  getHeader,
  MESSAGE_LIMITS,
  parseAddressList,
  parseDate,
  parseDeliveryStatus,
  parseHeaderSection,
  parseMailbox,
  parseMime,
  parseParamHeader,
  partFilename,
  textContent,
  walkParts,
  type MessageLimits,
  type MimePart,
} from '../../../src/mail/message/index.js';
import { parseTestMessage } from '../../../src/testing/test-message.js';
import { prng } from '../../helpers/prng.js';

const SEED = Number(process.env['OUTPOST_FUZZ_SEED'] ?? 20261121);
const DATE = new Date(Date.UTC(2026, 10, 21, 12, 0, 0));

type Random = () => number;
const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, list: readonly T[]): T => list[int(random, list.length)] as T;

/** Rethrows anything but an OutpostError with one of `codes` (the parser's documented refusal). */
function refusedWith(err: unknown, codes: readonly string[], what: string): void {
  if (err instanceof OutpostError && codes.includes(err.code)) return;
  throw new Error(`${what} threw ${String(err)}`, { cause: err });
}

/** Valid messages to start from. */
function seedMessages(): Buffer[] {
  const built = buildMessage({
    from: 'Jörg Müller <joerg@example.test>',
    to: 'Friends: a@example.test, "B, the second" <b@example.test>;, c@[192.0.2.1]',
    cc: 'd@example.test (Dee)',
    subject: 'Grüße — a long subject line with ünïcödé that must be encoded and folded somewhere',
    text: 'Hello\r\n.leading dot\r\nFrom the start\r\ntrailing space \r\n' + 'x'.repeat(200),
    html: '<p>Hello <b>world</b></p>',
    attachments: [
      { filename: 'naïve résumé.pdf', content: Buffer.from('%PDF-1.4 binary \u0000\u00ff', 'latin1') },
      { filename: 'data.bin', content: Buffer.alloc(300, 0xa5) },
    ],
    date: DATE,
    hostname: 'example.test',
  });
  const dsn = buildDsn({
    reportingMta: 'mx.example.test',
    to: 'sender@example.test',
    recipients: [
      {
        address: 'gone@example.test',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 no such user',
      },
    ],
    original: built,
    ret: 'FULL',
    now: DATE,
  });
  const digest = [
    'From: digest@example.test',
    'Subject: =?utf-8?Q?digest_=E2=9C=93?= =?iso-8859-1?B?5+Tk?=',
    'Content-Type: multipart/digest; boundary="dig"',
    '',
    'preamble',
    '--dig',
    '',
    'Subject: inner one',
    '',
    'first',
    '--dig',
    'Content-Type: message/rfc822',
    'Content-Transfer-Encoding: base64',
    '',
    encodeBase64(Buffer.from('Subject: encoded inner\r\n\r\nsecond\r\n')).trimEnd(),
    '--dig',
    'Content-Type: text/plain; charset="iso-8859-1"; format=flowed',
    'Content-Transfer-Encoding: quoted-printable',
    "Content-Disposition: attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC.txt",
    '',
    'caf=E9 =',
    'soft break',
    '--dig--',
    'epilogue',
    '',
  ].join('\r\n');
  const lfOnly =
    'From: a@b.example\nContent-Type: multipart/alternative; boundary=b\n\n--b\n\none\n--b\n\ntwo\n--b--\n';
  return [built, dsn, Buffer.from(digest, 'latin1'), Buffer.from(lfOnly)];
}

/** Tokens spliced into messages. */
const TOKENS = [
  '=?utf-8?B?',
  '=?utf-8?Q?=C3?=',
  '=?x-unknown?Q?abc?=',
  '=?utf-8*en?B?w6k=?=',
  '=?utf-16?B?2D3eAA==?=',
  '=?utf-8?B?!!!?=',
  '?=',
  '=?',
  'Content-Type: multipart/mixed; boundary="',
  'Content-Type: multipart/mixed; boundary=""\r\n',
  'Content-Type: message/rfc822\r\n',
  'Content-Type: message/global\r\n',
  'Content-Type: multipart/digest; boundary=b\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  'Content-Transfer-Encoding: x-uuencode\r\n',
  '; charset="x-nope"',
  '; charset=utf-7',
  '; charset=utf-16le',
  "; name*0*=utf-8''%E2%82; name*1*=%AC",
  "; filename*=x-bogus'en'%FF%FE",
  '; name*999=x; name*0=y',
  '; boundary=',
  '((((((((((((((',
  ')))',
  '"',
  '\\',
  '<',
  '>',
  '@',
  ',',
  ':;',
  '[',
  ']',
  '=\r\n',
  '=ZZ',
  '= \r\n',
  '\r\n\r\n',
  '\r\n ',
  '\r\n\t',
  '\n',
  '\r',
  '\u0000',
  '\u00ff\u00fe',
  'From: "a\\"b" <a@b>, (c (d (e))) f@g, Group: h@i;\r\n',
  'To: undisclosed-recipients:;\r\n',
  'Cc: <@route,@r2:x@y>, "unterminated\r\n',
  'Date: 31 Feb 99 25:61 +9999\r\n',
  'Date: Sat, 21 Nov 2026 16:09:42 GMT\r\n',
  '--',
  '-- \r\n',
];

/** The boundaries a message declares (quoted or not). */
function boundaries(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const m of bytes.toString('latin1').matchAll(/boundary="?([^";\r\n]*)/gi)) out.push(m[1] ?? '');
  return out;
}

function mutate(src: Buffer, random: Random): Buffer {
  let b = src;
  const at = (): number => int(random, b.length + 1);
  const splice = (pos: number, del: number, insert: Buffer): void => {
    b = Buffer.concat([b.subarray(0, pos), insert, b.subarray(Math.min(b.length, pos + del))]);
  };
  for (let k = 1 + int(random, 4); k > 0; k--) {
    switch (int(random, 9)) {
      case 0: {
        if (b.length === 0) break;
        b = Buffer.from(b);
        const i = int(random, b.length);
        b[i] = (b[i] ?? 0) ^ (1 << int(random, 8));
        break;
      }
      case 1:
        splice(at(), 0, Buffer.from(Array.from({ length: 1 + int(random, 8) }, () => int(random, 256))));
        break;
      case 2:
        splice(at(), int(random, 64), Buffer.alloc(0));
        break;
      case 3:
        b = b.subarray(0, at());
        break;
      case 4: {
        const start = at();
        const piece = Buffer.from(b.subarray(start, start + int(random, 400)));
        splice(at(), 0, Buffer.concat(Array.from({ length: 1 + int(random, 3) }, () => piece)));
        break;
      }
      case 5:
        splice(at(), 0, Buffer.from(pick(random, TOKENS), 'latin1'));
        break;
      case 6: {
        // A delimiter line where none belongs (in a body, a header, another part).
        const bd = pick(random, [...boundaries(b), 'b', '']);
        splice(at(), 0, Buffer.from(`\r\n--${bd}${random() < 0.3 ? '--' : ''}\r\n`, 'latin1'));
        break;
      }
      case 7: {
        // The closing delimiter goes missing.
        const declared = boundaries(b);
        if (declared.length === 0) break;
        const bd = pick(random, declared);
        const close = b.lastIndexOf(`--${bd}--`);
        if (close >= 0) splice(close, bd.length + 4, Buffer.alloc(0));
        break;
      }
      default: {
        // Line endings change in one region: CRLF to LF, or a bare CR.
        const start = at();
        const end = Math.min(b.length, start + int(random, 2000));
        const region = b.subarray(start, end).toString('latin1');
        const changed = random() < 0.5 ? region.replace(/\r\n/g, '\n') : region.replace(/\n/g, '\r');
        splice(start, end - start, Buffer.from(changed, 'latin1'));
      }
    }
  }
  return b;
}

/** Bombs built once: deep nesting, part floods, oversized headers. */
function bombs(): Buffer[] {
  const depth = 1000;
  const open: string[] = [];
  const close: string[] = [];
  for (let d = 0; d < depth; d++) {
    open.push(`Content-Type: multipart/mixed; boundary="b${String(d)}"\r\n\r\n--b${String(d)}\r\n`);
    close.push(`\r\n--b${String(d)}--\r\n`);
  }
  const nestedMultipart = open.join('') + 'Subject: leaf\r\n\r\nleaf' + close.reverse().join('');
  const sameBoundary =
    'Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n'.repeat(depth) + '\r\nleaf\r\n--x--\r\n';
  const nestedRfc822 = 'Content-Type: message/rfc822\r\n\r\n'.repeat(depth) + 'Subject: leaf\r\n\r\nleaf\r\n';
  const alternating = Array.from({ length: depth }, (_, d) =>
    d % 2 === 0
      ? 'Content-Type: message/global\r\n\r\n'
      : `Content-Type: multipart/related; boundary=r${String(d)}\r\n\r\n--r${String(d)}\r\n`,
  ).join('');
  // message/rfc822 in base64 in base64…: each level decodes the next.
  let encoded = Buffer.from('Subject: core\r\n\r\ncore\r\n');
  for (let d = 0; d < 12; d++) {
    encoded = Buffer.from(
      `Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n${encodeBase64(encoded)}`,
    );
  }
  const flood =
    'Content-Type: multipart/mixed; boundary=f\r\n\r\n' +
    Array.from({ length: 5000 }, (_, i) => `--f\r\nX-Part: ${String(i)}\r\n\r\n${String(i)}\r\n`).join('') +
    '--f--\r\n';
  const floodNested =
    'Content-Type: multipart/mixed; boundary=g\r\n\r\n' +
    Array.from(
      { length: 300 },
      () =>
        '--g\r\nContent-Type: multipart/mixed; boundary=h\r\n\r\n--h\r\n\r\na\r\n--h\r\n\r\nb\r\n--h--\r\n',
    ).join('') +
    '--g--\r\n';
  const manyFields = Array.from(
    { length: MESSAGE_LIMITS.maxHeaderFields + 1 },
    (_, i) => `X-F${String(i)}: v\r\n`,
  ).join('');
  const longField = `Subject: ${'a'.repeat(MESSAGE_LIMITS.maxFieldOctets + 10)}\r\n\r\nbody\r\n`;
  const foldedField = `Subject: a${'\r\n b'.repeat(30_000)}\r\n\r\nbody\r\n`;
  const longParam = Buffer.concat([
    Buffer.from('Content-Type: text/plain; name*0='),
    Buffer.alloc(60_000, 0xff),
    Buffer.from("\r\nContent-Disposition: attachment; filename*0*=utf-8''"),
    Buffer.from('%E2%82%AC'.repeat(6000)),
    Buffer.from('\r\n\r\nbody\r\n'),
  ]);
  const nestedComments = `From: ${'('.repeat(5000)}a@b\r\nTo: ${'"'.repeat(5001)}\r\n\r\n`;
  const manyAddresses = `To: ${Array.from({ length: 2000 }, (_, i) => `u${String(i)}@x`).join(', ')}\r\n\r\n`;
  const manyWords = `Subject: ${'=?utf-8?Q?a?= '.repeat(4000)}\r\n\r\n`;
  return [
    nestedMultipart,
    sameBoundary,
    nestedRfc822,
    alternating,
    encoded,
    flood,
    floodNested,
    `${manyFields}\r\nbody`,
    longField,
    foldedField,
    longParam,
    nestedComments,
    manyAddresses,
    manyWords,
  ].map((m) => (typeof m === 'string' ? Buffer.from(m, 'latin1') : m));
}

const ADDRESS_FIELDS = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'sender', 'resent-to']);

/** Parses `bytes` every way the codec offers; returns the parts walked (0 when refused). */
function exercise(bytes: Buffer, where: string): number {
  // Header section alone.
  try {
    const section = parseHeaderSection(bytes);
    assert.ok(section.headerEnd <= section.bodyOffset && section.bodyOffset <= bytes.length, where);
    assert.ok(section.fields.length <= MESSAGE_LIMITS.maxHeaderFields, where);
  } catch (err) {
    refusedWith(err, [ErrorCodes.INPUT_TOO_LARGE], `${where}: parseHeaderSection`);
  }
  // Submission fix-ups keep the message and add exactly what is missing.
  try {
    const done = completeForSubmission(bytes, { hostname: 'example.test', now: DATE });
    assert.ok(done.subarray(done.length - bytes.length).equals(bytes), `${where}: message changed`);
    const fields = parseHeaderSection(done).fields;
    assert.ok(
      getHeader(fields, 'Message-ID') !== undefined && getHeader(fields, 'Date') !== undefined,
      where,
    );
  } catch (err) {
    refusedWith(err, [ErrorCodes.INPUT_TOO_LARGE], `${where}: completeForSubmission`);
  }
  try {
    parseDeliveryStatus(bytes);
  } catch (err) {
    refusedWith(err, [ErrorCodes.INPUT_TOO_LARGE], `${where}: parseDeliveryStatus`);
  }
  try {
    parseTestMessage(
      { mailboxId: 1, uid: 1, internalDate: DATE, size: bytes.length, flags: [], modSeq: 1 },
      bytes,
    );
  } catch (err) {
    refusedWith(err, [ErrorCodes.INPUT_TOO_LARGE], `${where}: parseTestMessage`);
  }
  let root: MimePart;
  try {
    root = parseMime(bytes);
  } catch (err) {
    refusedWith(err, [ErrorCodes.INPUT_TOO_LARGE], `${where}: parseMime`);
    return 0;
  }
  const parts = walkParts(root);
  assert.ok(parts.length <= MESSAGE_LIMITS.maxMimeParts, `${where}: ${String(parts.length)} parts`);
  let leafOctets = 0;
  for (const part of parts) {
    assert.ok(part.depth <= MESSAGE_LIMITS.maxMimeDepth, `${where}: depth ${String(part.depth)}`);
    if (part.children.length === 0) leafOctets += part.body.length;
    // Decoding never grows a body: base64 and QP only shrink.
    assert.ok(decodedBody(part).length <= part.body.length, where);
    textContent(part);
    partFilename(part);
    for (const field of part.headers) {
      decodeEncodedWords(field.value);
      const name = field.name.toLowerCase();
      if (name.startsWith('content-')) parseParamHeader(field.value);
      if (name === 'date') parseDate(field.value);
      if (ADDRESS_FIELDS.has(name)) {
        try {
          const list = parseAddressList(field.value);
          assert.ok(list.length <= MESSAGE_LIMITS.maxAddresses, where);
        } catch (err) {
          refusedWith(
            err,
            [ErrorCodes.PARSE],
            `${where}: parseAddressList(${JSON.stringify(field.value.slice(0, 80))})`,
          );
        }
      }
    }
  }
  // Parts are slices of the input (or of a decoded nested message): the tree holds no more.
  assert.ok(
    leafOctets <= bytes.length,
    `${where}: ${String(leafOctets)} leaf octets from ${String(bytes.length)}`,
  );
  return parts.length;
}

test(
  `20,000 random and mutated messages: only documented refusals, bounded trees (seed ${String(SEED)})`,
  { timeout: 120_000 },
  (t) => {
    const random = prng(SEED);
    const seeds = seedMessages();
    const bombList = bombs();
    let refused = 0;
    let parts = 0;
    for (let i = 0; i < 20_000; i++) {
      const r = random();
      let bytes: Buffer;
      if (r < 0.02) bytes = mutate(pick(random, bombList), random);
      else if (r < 0.07) {
        // Random bytes from a message-ish alphabet.
        const alphabet = 'ab:; =?-\r\n\t"<>@,()[]\\.Q_B+/0\u0000\u00ff';
        bytes = Buffer.from(
          Array.from({ length: int(random, 600) }, () => alphabet[int(random, alphabet.length)]).join(''),
          'latin1',
        );
      } else bytes = mutate(pick(random, seeds), random);
      const n = exercise(bytes, `message ${String(i)}`);
      if (n === 0) refused++;
      parts += n;
    }
    t.diagnostic(`${String(parts)} parts walked, ${String(refused)} messages refused (over limits)`);
    assert.ok(refused < 2000, `${String(refused)} refused: the mutations should mostly stay parseable`);
  },
);

test('nesting bombs and part floods parse within MESSAGE_LIMITS, without blowing the stack', () => {
  const [multi, same, rfc822, alternating, encoded, flood, floodNested] = bombs();
  const deepest = (m: Buffer, limits?: MessageLimits): number =>
    Math.max(...walkParts(parseMime(m, limits)).map((p) => p.depth));
  for (const m of [multi, rfc822, alternating] as Buffer[]) {
    assert.equal(deepest(m), MESSAGE_LIMITS.maxMimeDepth);
    // Past the cap the rest stays one undivided leaf.
    const leaf = walkParts(parseMime(m)).find((p) => p.depth === MESSAGE_LIMITS.maxMimeDepth);
    assert.equal(leaf?.children.length, 0);
  }
  assert.ok(deepest(same as Buffer) <= MESSAGE_LIMITS.maxMimeDepth);
  assert.equal(deepest(encoded as Buffer), 12);
  assert.equal(textContent(walkParts(parseMime(encoded as Buffer)).at(-1) as MimePart), 'core\r\n');
  assert.equal(walkParts(parseMime(flood as Buffer)).length, MESSAGE_LIMITS.maxMimeParts);
  assert.ok(walkParts(parseMime(floodNested as Buffer)).length <= MESSAGE_LIMITS.maxMimeParts);
  // Limits are the caller's to tighten.
  assert.equal(walkParts(parseMime(flood as Buffer, { maxMimeParts: 10 })).length, 10);
  assert.equal(deepest(rfc822 as Buffer, { maxMimeDepth: 3 }), 3);
});

test('regression: a 60 KB RFC 2231 parameter no longer overflows the call stack', () => {
  // parseParamHeader spread every octet of a value into Array.push(), which throws RangeError
  // ("Maximum call stack size exceeded") past ~100k arguments; 60,000 invalid UTF-8 octets
  // become 180,000 once decoded. The header is within MESSAGE_LIMITS, so it must parse.
  const value = Buffer.concat([
    Buffer.from('text/plain; name*0="'),
    Buffer.alloc(60_000, 0xff),
    Buffer.from('"'),
  ]);
  const parsed = parseParamHeader(value.toString('utf8'));
  assert.equal(parsed.params.get('name'), '\ufffd'.repeat(60_000));
  const message = Buffer.concat([Buffer.from('Content-Type: '), value, Buffer.from('\r\n\r\nbody\r\n')]);
  assert.equal(parseMime(message).params.get('name')?.length, 60_000);
});

/** Random text: ASCII, Latin-1, CJK, emoji, spaces, and the characters encoders must escape. */
function randomText(random: Random, max: number): string {
  const pieces = [
    'a',
    'Z',
    '0',
    ' ',
    '  ',
    '\t',
    '=',
    '?',
    '_',
    '.',
    '"',
    '\\',
    '(',
    ')',
    ',',
    ';',
    ':',
    '@',
    '<',
    '>',
    'é',
    'ß',
    '€',
    '日本',
    '🎉',
    '\u00a0',
    '%',
    "'",
    '*',
    '-',
    '/',
  ];
  return Array.from({ length: int(random, max) }, () => pick(random, pieces)).join('');
}

test(`encoders round-trip random data (seed ${String(SEED)})`, () => {
  const random = prng(SEED + 1);
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(random, 256)));
  for (let i = 0; i < 2000; i++) {
    const data = bytes(int(random, 600));
    assert.deepEqual(decodeBase64(encodeBase64(data)), data, `base64 ${data.toString('hex')}`);
    // Quoted-printable is for text (RFC 2045 §6.7): line breaks come back as CRLF, and the
    // encoding ends with one.
    const text = data.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
    const want = Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'latin1');
    assert.deepEqual(decodeQuotedPrintable(encodeQuotedPrintable(data)), want, `qp ${data.toString('hex')}`);
  }
  for (let i = 0; i < 2000; i++) {
    const s = randomText(random, 60);
    assert.equal(decodeEncodedWords(encodeWords(s)), s, `encodeWords ${JSON.stringify(s)}`);
    assert.equal(decodeEncodedWords(encodeUnstructured(s)), s, `encodeUnstructured ${JSON.stringify(s)}`);
    // Through a header: folded, parsed, unfolded, decoded (leading blanks are not part of a value).
    const value = s.replace(/^[ \t]+/, '');
    const header = Buffer.from(`${foldHeader('Subject', encodeUnstructured(value))}\r\n\r\n`);
    const field = parseHeaderSection(header).fields[0];
    assert.equal(decodeEncodedWords(field?.value ?? ''), value, `header ${JSON.stringify(s)}`);
    // RFC 2231 parameters.
    const p = parseParamHeader(`attachment${formatParams([['filename', s]])}`);
    assert.equal(p.params.get('filename'), s, `formatParams ${JSON.stringify(s)}`);
  }
});

test(`messages built from random parts read back the same (seed ${String(SEED)})`, () => {
  const random = prng(SEED + 2);
  for (let i = 0; i < 300; i++) {
    const text = randomText(random, 300) + pick(random, ['', '\r\n', '\n.\n', '\rFrom x\r\n', ' \r\n']);
    const content = Buffer.from(Array.from({ length: int(random, 2000) }, () => int(random, 256)));
    const filename = (randomText(random, 20).replace(/[\\"]/g, '') || 'f') + '.bin';
    const name = randomText(random, 30).trim().replace(/\s+/g, ' ');
    const subject = randomText(random, 100).replace(/[\t]/g, ' ');
    const message = buildMessage({
      from: formatMailbox({ name, address: 'from@example.test' }),
      to: 'to@example.test',
      subject,
      text,
      attachments: [{ filename, content }],
      date: DATE,
      hostname: 'example.test',
    });
    const where = `message ${String(i)}`;
    const root = parseMime(message);
    const parts = walkParts(root);
    const plain = parts.find((p) => p.contentType === 'text/plain');
    const crlf = text.replace(/\r\n|\r|\n/g, '\r\n');
    assert.equal(
      plain && textContent(plain),
      crlf.endsWith('\r\n') || crlf === '' ? crlf : `${crlf}\r\n`,
      where,
    );
    const attachment = parts.find((p) => p.contentType === 'application/octet-stream');
    assert.ok(attachment && decodedBody(attachment).equals(content), where);
    assert.equal(partFilename(attachment), filename, where);
    assert.equal(
      decodeEncodedWords(getHeader(root.headers, 'Subject') ?? ''),
      subject.replace(/^ +/, ''),
      where,
    );
    assert.equal(parseMailbox(getHeader(root.headers, 'From') ?? '').name, name, where);
  }
});

test('regressions found by the round trips: blanks, word look-alikes, display names', () => {
  // A blank run with a tab between two encoded runs was written raw, and readers drop
  // whitespace between adjacent encoded words (RFC 2047 §6.2): 'é \t é' came back 'éé'.
  for (const s of ['é \t é', 'é\té', 'a é \t\t é b', '日本 \t']) {
    assert.equal(decodeEncodedWords(encodeUnstructured(s)), s, JSON.stringify(s));
  }
  // Text that looks like an encoded word was left raw and decoded by the reader: encode it.
  for (const s of ['see =?utf-8?Q?x?= here', 'é =?utf-8?Q?a?=', '=?iso-8859-1?B?5+Tk?=']) {
    const encoded = encodeUnstructured(s);
    assert.notEqual(encoded, s);
    assert.equal(decodeEncodedWords(encoded), s, JSON.stringify(s));
  }
  // Only whitespace between two encoded words is dropped, not after text ending in `?=`.
  assert.equal(decodeEncodedWords('a?= =?utf-8?Q?b?='), 'a?= b');
  assert.equal(decodeEncodedWords('=?utf-8?Q?a?= \t =?utf-8?Q?b?='), 'ab');
  assert.equal(decodeEncodedWords('=?x-nope?Q?a?= =?utf-8?Q?b?='), '=?x-nope?Q?a?= b');
  // A non-ASCII display name kept its ASCII words raw even when they were not atoms, so
  // `é <a@evil.test>` or `é a@b` changed or broke the address list (RFC 2047 §5 (3)).
  for (const name of ['é <a@evil.test>', 'é a@b', 'Zoë, the first', 'é "quoted"', 'é (comment)']) {
    const text = formatMailbox({ name, address: 'x@example.test' });
    const parsed = parseMailbox(text);
    assert.equal(parsed.name, name, text);
    assert.equal(parsed.address, 'x@example.test', text);
  }
  // Names whose ASCII words are atoms stay readable.
  assert.equal(
    formatMailbox({ name: 'Jörg Müller', address: 'j@example.test' }),
    '=?utf-8?Q?J=C3=B6rg_M=C3=BCller?= <j@example.test>',
  );
  assert.equal(
    formatMailbox({ name: 'Zoë Smith', address: 'z@example.test' }),
    '=?utf-8?Q?Zo=C3=AB?= Smith <z@example.test>',
  );
});
