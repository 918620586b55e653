/**
 * Server selection on a fake clock: servers ordered by smoothed RTT with unknown ones in
 * between, a server that timed out avoided (last) for a backoff that doubles and then ends,
 * timeouts from SRTT + 4 x RTTVAR within bounds and doubled per pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerSelection } from '../../../src/dns/resolver/server-selection.js';

const s = (address: string) => ({ address, port: 53 });

describe('server selection', () => {
  it('orders by smoothed RTT, unknown servers between fast and slow ones, avoided ones last', () => {
    let t = 0;
    const sel = new ServerSelection({ now: () => t, random: () => 0.5 });
    sel.success(s('fast'), 5);
    sel.success(s('slow'), 900);
    sel.failure(s('dead'));
    const order = sel.order([s('dead'), s('slow'), s('new'), s('fast')]).map((x) => x.address);
    assert.deepEqual(order, ['fast', 'new', 'slow', 'dead']);
    t += 5_001;
    assert.equal(sel.avoided(s('dead')), false, 'the backoff ended');
  });

  it('clear() forgets every statistic, as a restart would', () => {
    const sel = new ServerSelection({ now: () => 0 });
    sel.failure(s('dead'));
    sel.success(s('fast'), 5);
    sel.clear();
    assert.equal(sel.avoided(s('dead')), false);
    assert.equal(sel.timeoutFor(s('fast')), sel.timing.unknownTimeoutMs);
  });

  it('doubles the backoff per timeout and forgets it on success', () => {
    let t = 0;
    const sel = new ServerSelection({ now: () => t, timing: { backoffMs: 1000, maxBackoffMs: 3000 } });
    sel.failure(s('a'));
    t += 999;
    assert.equal(sel.avoided(s('a')), true);
    t += 2;
    assert.equal(sel.avoided(s('a')), false);
    sel.failure(s('a'));
    t += 1999;
    assert.equal(sel.avoided(s('a')), true);
    sel.failure(s('a'));
    t += 3001;
    assert.equal(sel.avoided(s('a')), false, 'capped at maxBackoffMs');
    sel.failure(s('a'));
    sel.success(s('a'), 10);
    assert.equal(sel.avoided(s('a')), false);
  });

  it('derives timeouts from SRTT and RTTVAR within bounds, doubled per pass', () => {
    const sel = new ServerSelection({
      timing: { unknownTimeoutMs: 800, minTimeoutMs: 200, maxTimeoutMs: 2000 },
    });
    assert.equal(sel.timeoutFor(s('x')), 800);
    assert.equal(sel.timeoutFor(s('x'), 1), 1600);
    assert.equal(sel.timeoutFor(s('x'), 3), 2000);
    sel.success(s('y'), 10);
    assert.equal(sel.timeoutFor(s('y')), 200);
    sel.success(s('z'), 300);
    assert.equal(sel.timeoutFor(s('z')), 300 + 4 * 150);
  });
});
