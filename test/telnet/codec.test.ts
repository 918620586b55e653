// Tier-1 tests of the Telnet codec: the NVT parser on every split of its input (IAC across
// chunks, IAC IAC, CR NUL, commands, negotiations, sub-negotiations with IAC inside, a lost SE),
// its bounded sub-negotiation buffer, the encoder (IAC doubling, CR LF, CR NUL), the
// sub-negotiation payloads (TERMINAL-TYPE, NAWS, NEW-ENVIRON) and their transcript words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cmd,
  describeCommand,
  encodeCommand,
  encodeKeys,
  encodeLine,
  encodeNegotiation,
  encodeSubnegotiation,
  environIs,
  escapeIac,
  isTerminalTypeSend,
  nawsPayload,
  Opt,
  parseEnvironSend,
  TelnetParser,
  terminalTypeIs,
  type TelnetEvent,
} from '../../src/telnet/codec/index.js';
import { MAX_SUBNEGOTIATION_OCTETS } from '../../src/telnet/limits.js';

const { IAC, SB, SE, DO, WILL, DONT, AYT, DM } = Cmd;

/** Feeds `bytes` split at every position (and byte by byte), checking each gives `expected`. */
function parsesTo(bytes: number[], expected: TelnetEvent[]): void {
  const merge = (events: TelnetEvent[]): TelnetEvent[] => {
    const out: TelnetEvent[] = [];
    for (const e of events) {
      const last = out.at(-1);
      if (e.kind === 'data' && last?.kind === 'data')
        out[out.length - 1] = { kind: 'data', data: Buffer.concat([last.data, e.data]) };
      else out.push(e);
    }
    return out;
  };
  const input = Buffer.from(bytes);
  for (let cut = 0; cut <= input.length; cut++) {
    const p = new TelnetParser();
    const events = [...p.feed(input.subarray(0, cut)), ...p.feed(input.subarray(cut))];
    assert.deepEqual(merge(events), expected, `split at ${cut}`);
  }
  const p = new TelnetParser();
  assert.deepEqual(merge([...input].flatMap((b) => p.feed(Buffer.of(b)))), expected, 'byte by byte');
}

const data = (text: string | number[]): TelnetEvent => ({
  kind: 'data',
  data: typeof text === 'string' ? Buffer.from(text, 'latin1') : Buffer.from(text),
});

test('parser: plain data, IAC IAC as one 0xFF, commands between data', () => {
  parsesTo([...Buffer.from('ab'), IAC, IAC, 0x63], [data([0x61, 0x62, 0xff, 0x63])]);
  parsesTo(
    [0x61, IAC, AYT, 0x62, IAC, DM],
    [data('a'), { kind: 'command', command: AYT }, data('b'), { kind: 'command', command: DM }],
  );
  parsesTo(
    [IAC, DO, Opt.NAWS, IAC, WILL, 200],
    [
      { kind: 'negotiation', verb: DO, option: Opt.NAWS },
      { kind: 'negotiation', verb: WILL, option: 200 },
    ],
  );
});

test('parser: CR NUL is a bare CR unless the peer sends BINARY; CR LF stays', () => {
  parsesTo([0x61, 0x0d, 0x00, 0x62, 0x0d, 0x0a], [data('a\rb\r\n')]);
  const p = new TelnetParser();
  p.binary = true;
  assert.deepEqual(p.feed(Buffer.of(0x0d, 0x00)), [data([0x0d, 0x00])]);
  // A NUL that does not follow CR is data.
  parsesTo([0x00, 0x61], [data([0x00, 0x61])]);
});

test('parser: sub-negotiation with IAC IAC inside, and a lost SE ends it before the next command', () => {
  parsesTo(
    [IAC, SB, Opt.TTYPE, 1, IAC, SE, 0x7a],
    [{ kind: 'subnegotiation', option: Opt.TTYPE, data: Buffer.of(1) }, data('z')],
  );
  parsesTo(
    [IAC, SB, 99, 1, IAC, IAC, 2, IAC, SE],
    [{ kind: 'subnegotiation', option: 99, data: Buffer.of(1, 0xff, 2) }],
  );
  parsesTo(
    [IAC, SB, 99, 5, IAC, DONT, 1],
    [
      { kind: 'subnegotiation', option: 99, data: Buffer.of(5) },
      { kind: 'negotiation', verb: DONT, option: 1 },
    ],
  );
});

test('parser: an endless sub-negotiation holds at most the limit, then reports its length', () => {
  const p = new TelnetParser();
  assert.deepEqual(p.feed(Buffer.of(IAC, SB, 77)), []);
  const junk = Buffer.alloc(64 * 1024, 0x41);
  for (let i = 0; i < 160; i++) {
    assert.deepEqual(p.feed(junk), []);
    assert.ok(p.bufferedOctets <= MAX_SUBNEGOTIATION_OCTETS);
  }
  assert.equal(p.bufferedOctets, MAX_SUBNEGOTIATION_OCTETS);
  assert.deepEqual(p.feed(Buffer.of(IAC, SE, 0x21)), [
    { kind: 'subnegotiation-overflow', option: 77, length: 160 * junk.length },
    data('!'),
  ]);
  assert.equal(p.bufferedOctets, 0);
});

test('parser: a flood of 0xFF is data at half the length, in one event per chunk', () => {
  const p = new TelnetParser();
  const events = p.feed(Buffer.alloc(1 << 20, 0xff));
  assert.equal(events.length, 1);
  const [only] = events;
  assert.ok(only?.kind === 'data');
  assert.equal(only.data.length, 1 << 19);
  assert.ok(only.data.every((b) => b === 0xff));
});

test('encoder: IAC doubled in data and in sub-negotiations; commands and negotiations', () => {
  assert.deepEqual(escapeIac(Buffer.of(1, 0xff, 2)), Buffer.of(1, 0xff, 0xff, 2));
  assert.deepEqual(encodeCommand(AYT), Buffer.of(IAC, AYT));
  assert.deepEqual(encodeNegotiation(WILL, Opt.NAWS), Buffer.of(IAC, WILL, 31));
  assert.deepEqual(
    encodeSubnegotiation(Opt.NAWS, nawsPayload(255, 24)),
    Buffer.of(IAC, SB, 31, 0, 255, 255, 0, 24, IAC, SE),
  );
});

test('encoder: lines end in CR LF; keys turn a bare CR into CR NUL unless BINARY', () => {
  assert.deepEqual(encodeLine(Buffer.from('HELO me')), Buffer.from('HELO me\r\n'));
  assert.deepEqual(encodeKeys(Buffer.from('ls\r'), false), Buffer.from('ls\r\0'));
  assert.deepEqual(encodeKeys(Buffer.from('a\r\nb'), false), Buffer.from('a\r\nb'));
  assert.deepEqual(encodeKeys(Buffer.from('ls\r'), true), Buffer.from('ls\r'));
  assert.deepEqual(encodeKeys(Buffer.of(0xff, 0x0d), false), Buffer.of(0xff, 0xff, 0x0d, 0x00));
});

test('sub-negotiation payloads: TERMINAL-TYPE, NAWS clamped, NEW-ENVIRON SEND and IS', () => {
  assert.equal(isTerminalTypeSend(Buffer.of(1)), true);
  assert.equal(isTerminalTypeSend(Buffer.of(0)), false);
  assert.deepEqual(terminalTypeIs('xterm-256color'), Buffer.from('\0xterm-256color', 'latin1'));
  assert.deepEqual(terminalTypeIs('a b\x1b'), Buffer.from('\0ab', 'latin1'));
  assert.deepEqual(terminalTypeIs(''), Buffer.from('\0UNKNOWN', 'latin1'));
  assert.deepEqual(nawsPayload(100000, -3), Buffer.of(0xff, 0xff, 0, 0));
  const send = parseEnvironSend(
    Buffer.of(1, 0, ...Buffer.from('USER'), 3, ...Buffer.from('A'), 2, 1, ...Buffer.from('B')),
  );
  assert.deepEqual(send, [
    { kind: 'VAR', name: 'USER' },
    { kind: 'USERVAR', name: 'A\u0001B' },
  ]);
  assert.equal(parseEnvironSend(Buffer.of(0)), null);
  const allowed = new Map([['LANG', 'C\u0002']]);
  // USER is asked for but not allowed: named without a value.
  assert.deepEqual(
    environIs([{ kind: 'VAR', name: 'USER' }], allowed),
    Buffer.of(0, 0, ...Buffer.from('USER')),
  );
  assert.deepEqual(environIs([], allowed), Buffer.of(0, 3, ...Buffer.from('LANG'), 1, 0x43, 2, 2));
});

test('describe: commands, negotiations and decoded sub-negotiations in transcript words', () => {
  assert.equal(describeCommand({ kind: 'negotiation', verb: DO, option: Opt.NAWS }), 'IAC DO NAWS');
  assert.equal(describeCommand({ kind: 'negotiation', verb: WILL, option: 200 }), 'IAC WILL 200');
  assert.equal(describeCommand({ kind: 'command', command: AYT }), 'IAC AYT');
  assert.equal(
    describeCommand({ kind: 'subnegotiation', option: Opt.TTYPE, data: Buffer.of(1) }),
    'IAC SB TERMINAL-TYPE SEND IAC SE',
  );
  assert.equal(
    describeCommand({ kind: 'subnegotiation', option: Opt.TTYPE, data: terminalTypeIs('xterm') }),
    'IAC SB TERMINAL-TYPE IS "xterm" IAC SE',
  );
  assert.equal(
    describeCommand({ kind: 'subnegotiation', option: Opt.NAWS, data: nawsPayload(80, 24) }),
    'IAC SB NAWS WIDTH 80 HEIGHT 24 IAC SE',
  );
  assert.equal(
    describeCommand({
      kind: 'subnegotiation',
      option: Opt.NEW_ENVIRON,
      data: environIs([], new Map([['USER', 'al']])),
    }),
    'IAC SB NEW-ENVIRON IS VAR "USER" VALUE "al" IAC SE',
  );
  assert.equal(
    describeCommand({ kind: 'subnegotiation', option: 99, data: Buffer.of(1, 2) }),
    'IAC SB 99 01 02 IAC SE',
  );
  assert.equal(
    describeCommand({ kind: 'subnegotiation-overflow', option: 99, length: 5000 }),
    'IAC SB 99 … (5000 bytes, over the limit: dropped) IAC SE',
  );
});
