// SharedResources: a resource is opened once per key by whichever service asks first, every
// caller gets the same object typed by the key, and the suite closes them newest first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceKey, SharedResources, type Closable } from '../../src/core/service/shared-resources.js';

class Counter {
  readonly label: string;
  constructor(label: string) {
    this.label = label;
  }
  close(): void {
    // nothing held
  }
}

const FIRST = resourceKey<Counter>('first');
const SECOND = resourceKey<Counter>('second');

test('a key opens its resource once and every caller gets that one', () => {
  const shared = new SharedResources();
  let opened = 0;
  const open = (): Counter => new Counter(`#${++opened}`);
  const a = shared.get(FIRST, open);
  const b = shared.get(FIRST, open);
  assert.equal(a, b);
  assert.equal(opened, 1);
  assert.equal(b.label, '#1');
  // Another key declared with the same name is the same resource (names are the identity).
  assert.equal(shared.get(resourceKey<Counter>('first'), open), a);
  assert.notEqual(shared.get(SECOND, open), a);
});

test('close closes every resource newest first, reports failures, and forgets them', async () => {
  const shared = new SharedResources();
  const order: string[] = [];
  shared.get(resourceKey<Closable>('first'), () => ({ close: () => void order.push('first') }));
  shared.get(resourceKey('broken'), () => ({
    close: () => {
      throw new Error('boom');
    },
  }));
  shared.get(resourceKey<Closable>('second'), () => ({ close: () => void order.push('second') }));
  const failures: string[] = [];
  await shared.close((err, name) => failures.push(`${name}: ${(err as Error).message}`));
  assert.deepEqual(order, ['second', 'first']);
  assert.deepEqual(failures, ['broken: boom']);
  let reopened = false;
  shared.get(FIRST, () => {
    reopened = true;
    return new Counter('again');
  });
  assert.equal(reopened, true);
});
