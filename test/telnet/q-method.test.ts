// Tier-1 tests of RFC 1143's Q method (src/telnet/codec/q-method.ts): the receive tables for
// each state, refusals by policy, no reply to a request for the state already agreed, queued
// reversals, and a randomized run of two tables talking to each other that must always settle
// (no negotiation loop) with both ends agreeing on every option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cmd, OptionTable, type Side, type Verb } from '../../src/telnet/codec/index.js';

const { WILL, WONT, DO, DONT } = Cmd;
const yes = (): boolean => true;
const no = (): boolean => false;

test('an option we accept: DO gets WILL once; repeating DO gets nothing; DONT gets WONT once', () => {
  const t = new OptionTable();
  assert.deepEqual(t.receive(DO, 31, yes), { send: WILL, enabled: true });
  assert.deepEqual(t.receive(DO, 31, yes), { send: null });
  assert.equal(t.enabled(31, 'us'), true);
  assert.deepEqual(t.receive(DONT, 31, yes), { send: WONT, enabled: false });
  assert.deepEqual(t.receive(DONT, 31, yes), { send: null });
});

test('an option we refuse: WILL gets DONT, DO gets WONT, and the state stays NO', () => {
  const t = new OptionTable();
  assert.deepEqual(t.receive(WILL, 200, no), { send: DONT });
  assert.deepEqual(t.receive(DO, 200, no), { send: WONT });
  assert.equal(t.side(200, 'him').state, 'no');
  // WONT/DONT for an option already off are never answered (RFC 854, RFC 1143 "NO: ignore").
  assert.deepEqual(t.receive(WONT, 200, no), { send: null });
  assert.deepEqual(t.receive(DONT, 200, no), { send: null });
});

test('our own request: DO sent, WILL enables without a reply; WONT answers it with refusal', () => {
  const t = new OptionTable();
  assert.deepEqual(t.request('him', 1, true), { send: DO });
  assert.equal(t.side(1, 'him').state, 'wantyes');
  assert.deepEqual(t.receive(WILL, 1, no), { send: null, enabled: true });
  const u = new OptionTable();
  u.request('him', 3, true);
  assert.deepEqual(u.receive(WONT, 3, yes), { send: null });
  assert.equal(u.side(3, 'him').state, 'no');
  assert.equal(u.request('him', 3, false).error, 'already disabled');
});

test('queued reversal: asking to disable while an enable is pending sends DONT after the WILL', () => {
  const t = new OptionTable();
  t.request('him', 1, true);
  assert.deepEqual(t.request('him', 1, false), { send: null });
  assert.deepEqual(t.side(1, 'him'), { state: 'wantyes', opposite: true });
  assert.deepEqual(t.receive(WILL, 1, yes), { send: DONT });
  assert.deepEqual(t.receive(WONT, 1, yes), { send: null });
  assert.equal(t.side(1, 'him').state, 'no');
});

test('a peer that accepts our refusal with WILL is an error, not a loop', () => {
  const t = new OptionTable();
  t.receive(WILL, 1, yes);
  assert.deepEqual(t.request('him', 1, false), { send: DONT, enabled: false });
  const r = t.receive(WILL, 1, yes);
  assert.equal(r.send, null);
  assert.equal(r.error, 'refusal answered by acceptance');
});

test('two Q-method peers with random requests and policies always settle and agree', () => {
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 300; round++) {
    const a = new OptionTable();
    const b = new OptionTable();
    const acceptA = new Set([0, 1, 3].filter(() => random(2) === 0));
    const acceptB = new Set([0, 1, 3].filter(() => random(2) === 0));
    const policy = (set: Set<number>) => (_s: Side, o: number) => set.has(o);
    const wires: { to: 'a' | 'b'; verb: Verb; option: number }[] = [];
    let delivered = 0;
    for (let step = 0; step < 20; step++) {
      const who = random(2) === 0 ? a : b;
      const option = [0, 1, 3][random(3)]!;
      const side: Side = random(2) === 0 ? 'us' : 'him';
      const r = who.request(side, option, random(2) === 0);
      if (r.send !== null) wires.push({ to: who === a ? 'b' : 'a', verb: r.send, option });
      // Deliver some in-flight messages in order, as TCP would.
      for (let k = random(3); k > 0 && wires.length > 0; k--) {
        const m = wires.shift()!;
        const peer = m.to === 'a' ? a : b;
        const reply = peer.receive(m.verb, m.option, policy(m.to === 'a' ? acceptA : acceptB));
        delivered++;
        if (reply.send !== null)
          wires.push({ to: m.to === 'a' ? 'b' : 'a', verb: reply.send, option: m.option });
      }
    }
    while (wires.length > 0) {
      const m = wires.shift()!;
      const peer = m.to === 'a' ? a : b;
      const reply = peer.receive(m.verb, m.option, policy(m.to === 'a' ? acceptA : acceptB));
      if (reply.send !== null)
        wires.push({ to: m.to === 'a' ? 'b' : 'a', verb: reply.send, option: m.option });
      assert.ok(++delivered < 1000, 'negotiation loop');
    }
    for (const option of [0, 1, 3]) {
      // Settled: no side is left waiting, and each end's view of the other matches.
      for (const t of [a, b])
        for (const s of ['us', 'him'] as const) assert.ok(['yes', 'no'].includes(t.side(option, s).state));
      assert.equal(a.enabled(option, 'us'), b.enabled(option, 'him'), `round ${round} option ${option}`);
      assert.equal(a.enabled(option, 'him'), b.enabled(option, 'us'), `round ${round} option ${option}`);
    }
  }
});
