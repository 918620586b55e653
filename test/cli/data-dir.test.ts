// The administration commands run by a user in some directory: commands that read or change
// existing data say which directory they looked at and that it holds no suite data (exit 1),
// creating nothing; `domain add` sets a data directory up and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { outpost } from './helpers.js';

/** Runs in `cwd` with no $OUTPOST_DATA, so the default ./data applies. */
const inDir = (cwd: string, args: string[]): ReturnType<typeof outpost> =>
  outpost(args, { cwd, env: { OUTPOST_DATA: '' } });

const READERS: string[][] = [
  ['queue', 'list'],
  ['queue', 'flush'],
  ['queue', 'flush', '0123abcd'],
  ['queue', 'delete', '0123abcd'],
  ['user', 'list'],
  ['user', 'list', 'example.test'],
  ['user', 'passwd', 'alice@example.test', '--password', 'x'],
  ['user', 'remove', 'alice@example.test'],
  ['domain', 'list'],
  ['domain', 'remove', 'example.test'],
];

test('in an empty directory, reading commands name ./data, say it holds no suite data, exit 1 and create nothing', () => {
  const cwd = tempDir('outpost-cwd-');
  const data = join(cwd, 'data');
  for (const args of READERS) {
    const r = inDir(cwd, args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.ok(
      r.stderr.startsWith(`outpost: ${data} holds no suite data (no such directory); `),
      `${args.join(' ')}: ${r.stderr}`,
    );
    assert.match(r.stderr, /--data DIR or --config FILE \[ERR_NO_DATA\]\n$/);
    assert.deepEqual(readdirSync(cwd), [], `${args.join(' ')} created something`);
  }
  const add = inDir(cwd, ['user', 'add', 'alice@example.test']);
  assert.equal(add.status, 1);
  assert.match(
    add.stderr,
    /holds no suite data \(no such directory\); add its domain first with `outpost domain add example\.test`/,
  );
  assert.deepEqual(readdirSync(cwd), [], 'user add created something');
});

test('an existing directory without the database: named with what is missing; $OUTPOST_DATA and --data are honoured', () => {
  const cwd = tempDir('outpost-cwd-');
  const empty = join(cwd, 'empty');
  mkdirSync(empty);
  const viaFlag = inDir(cwd, ['user', 'list', '--data', 'empty']);
  assert.equal(viaFlag.status, 1);
  assert.match(
    viaFlag.stderr,
    new RegExp(`^outpost: ${empty} holds no suite data \\(no accounts\\.db there\\)`),
  );
  const viaEnv = outpost(['queue', 'list'], { cwd, env: { OUTPOST_DATA: empty } });
  assert.equal(viaEnv.status, 1);
  assert.match(viaEnv.stderr, new RegExp(`^outpost: ${empty} holds no suite data \\(no mail\\.db there\\)`));
  assert.deepEqual(readdirSync(empty), []);
});

test('domain add creates the data directory and says so; then the readers work', () => {
  const cwd = tempDir('outpost-cwd-');
  const data = join(cwd, 'data');
  const added = inDir(cwd, ['domain', 'add', 'example.test']);
  assert.equal(added.status, 0, added.stderr);
  assert.equal(added.stdout, `created suite data in ${data}\nadded example.test\n`);
  const again = inDir(cwd, ['domain', 'add', 'crepes.test']);
  assert.equal(again.stdout, 'added crepes.test\n', 'said only the first time');
  assert.equal(inDir(cwd, ['domain', 'list']).stdout, 'crepes.test\nexample.test\n');
  const users = inDir(cwd, ['user', 'list']);
  assert.equal(users.status, 0, users.stderr);
  assert.equal(users.stdout, '');
  // No mail store until a mail service ran: the queue commands still say so.
  const queue = inDir(cwd, ['queue', 'list']);
  assert.equal(queue.status, 1);
  assert.match(
    queue.stderr,
    /holds no suite data \(no mail\.db there\); the mail store appears when `outpost serve` runs/,
  );
});
