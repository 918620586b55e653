// Tier-1 tests of the pure line buffer: endings, limits, counted bytes, hostile byte streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineBuffer, type LineItem } from '../../src/core/line/line-buffer.js';

function lines(buf: LineBuffer, max = 100): LineItem[] {
  const out: LineItem[] = [];
  for (let item = buf.takeLine(max); item; item = buf.takeLine(max)) out.push(item);
  return out;
}

function text(item: LineItem | undefined): string {
  assert.ok(item && item.kind === 'line');
  return `${item.line.toString('latin1')}|${item.ending}`;
}

test('splits CRLF and bare LF lines and reports which ending each had', () => {
  const b = new LineBuffer();
  b.push(Buffer.from('EHLO a\r\nNOOP\nQUIT\r\n'));
  assert.deepEqual(lines(b).map(text), ['EHLO a|crlf', 'NOOP|lf', 'QUIT|crlf']);
  assert.equal(b.buffered, 0);
});

test('keeps a bare CR and NUL inside the line for the protocol to judge', () => {
  const b = new LineBuffer();
  b.push(Buffer.from('A\rB\0C\r\n'));
  assert.equal(text(lines(b)[0]), 'A\rB\0C|crlf');
});

test('reassembles a line split across many one-byte chunks', () => {
  const b = new LineBuffer();
  const input = 'MAIL FROM:<a@b>\r\n';
  const got: LineItem[] = [];
  for (const ch of input) {
    b.push(Buffer.from(ch));
    got.push(...lines(b));
  }
  assert.deepEqual(got.map(text), ['MAIL FROM:<a@b>|crlf']);
});

test('a CR at the end of one chunk and LF at the start of the next is one CRLF', () => {
  const b = new LineBuffer();
  b.push(Buffer.from('DATA\r'));
  assert.equal(b.takeLine(100), null);
  b.push(Buffer.from('\nNEXT\r\n'));
  assert.deepEqual(lines(b).map(text), ['DATA|crlf', 'NEXT|crlf']);
});

test('an over-long line is reported once and discarded up to its LF; the next line survives', () => {
  const b = new LineBuffer();
  b.push(Buffer.from('x'.repeat(30) + '\r\nOK\r\n'));
  const got = lines(b, 10);
  assert.equal(got[0]?.kind, 'overflow');
  assert.equal(text(got[1]), 'OK|crlf');
  assert.equal(got.length, 2);
});

test('a discarded line reports its ending once its LF arrives, whatever the chunking', () => {
  // Whole line present: known at once.
  const whole = new LineBuffer();
  assert.equal(whole.discardedEnding, null);
  whole.push(Buffer.from(`${'x'.repeat(20)}\r\nnext\r\n`));
  assert.deepEqual(
    lines(whole, 10).map((i) => (i.kind === 'line' ? text(i) : i.kind)),
    ['overflow', 'next|crlf'],
  );
  assert.equal(whole.discardedEnding, 'crlf');
  // Every split of a long line ending in CRLF, then in a bare LF: the ending survives the
  // chunk boundary even when the CR and the LF arrive in different chunks.
  for (const ending of ['\r\n', '\n'] as const) {
    const input = Buffer.from(`${'y'.repeat(30)}${ending}.\r\n`);
    for (let cut = 1; cut < input.length; cut++) {
      const b = new LineBuffer();
      const seen: string[] = [];
      for (const part of [input.subarray(0, cut), input.subarray(cut)]) {
        b.push(part);
        for (const i of lines(b, 10)) seen.push(i.kind === 'line' ? text(i) : i.kind);
      }
      assert.deepEqual(seen, ['overflow', '.|crlf'], `cut at ${cut}`);
      assert.equal(b.discardedEnding, ending === '\r\n' ? 'crlf' : 'lf', `cut at ${cut}`);
    }
  }
});

test('the limit counts the line ending: 8 chars + CRLF fit in 10, 9 chars + CRLF do not', () => {
  const b = new LineBuffer();
  b.push(Buffer.from('12345678\r\n123456789\r\n'));
  const got = lines(b, 10);
  assert.equal(text(got[0]), '12345678|crlf');
  assert.equal(got[1]?.kind, 'overflow');
});

test('a client that never sends a newline costs at most the limit in memory', () => {
  const b = new LineBuffer();
  let overflows = 0;
  for (let i = 0; i < 10_000; i++) {
    b.push(Buffer.alloc(1000, 0x41));
    for (let item = b.takeLine(4096); item; item = b.takeLine(4096))
      if (item.kind === 'overflow') overflows++;
    assert.ok(b.buffered <= 4096 + 1000, `buffered ${b.buffered}`);
  }
  assert.equal(overflows, 1, 'one overflow report for one endless line');
  b.push(Buffer.from('tail\r\nAFTER\r\n'));
  assert.deepEqual(lines(b, 4096).map(text), ['AFTER|crlf']);
});

test('counted bytes are taken exactly, then line mode resumes', () => {
  const b = new LineBuffer();
  b.push(Buffer.from('{5}\r\nab\r\ncTAIL\r\n'));
  assert.equal(text(b.takeLine(100) ?? undefined), '{5}|crlf');
  const chunk = b.takeBytes(5);
  assert.equal(chunk?.toString(), 'ab\r\nc');
  assert.equal(text(b.takeLine(100) ?? undefined), 'TAIL|crlf');
  assert.equal(b.takeBytes(5), null);
});

test('clear() drops everything buffered and reports how much', () => {
  const b = new LineBuffer();
  b.push(Buffer.from('MAIL FROM:<evil@x>\r\nRCPT'));
  assert.equal(b.clear(), 24);
  assert.equal(b.takeLine(100), null);
});

test('random chunking never changes the lines produced (seeded fuzz)', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ['a', 'b', '\r', '\n', '\0', '\r\n', 'zzzzzzzz'];
  for (let round = 0; round < 300; round++) {
    let input = '';
    const len = rand(60);
    for (let i = 0; i < len; i++) input += alphabet[rand(alphabet.length)] ?? '';
    const whole = new LineBuffer();
    whole.push(Buffer.from(input, 'latin1'));
    const expected = lines(whole, 16).map((i) => (i.kind === 'line' ? text(i) : 'overflow'));
    const pieces = new LineBuffer();
    const got: string[] = [];
    let pos = 0;
    while (pos < input.length) {
      const n = 1 + rand(7);
      pieces.push(Buffer.from(input.slice(pos, pos + n), 'latin1'));
      pos += n;
      got.push(...lines(pieces, 16).map((i) => (i.kind === 'line' ? text(i) : 'overflow')));
    }
    // Chunking may only change *when* an endless line is reported, never the complete lines.
    assert.deepEqual(
      got.filter((g) => g !== 'overflow'),
      expected.filter((g) => g !== 'overflow'),
      JSON.stringify(input),
    );
  }
});
