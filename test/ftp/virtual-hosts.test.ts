// Virtual hosts (RFC 7151 HOST) on a suite with three domains: HOST picks the domain bare login
// names belong to and keeps other domains' accounts out, a [ftp.virtual_hosts] entry gives a host
// its own anonymous tree, unknown and malformed names get 504 and 501, and HOST is refused once
// USER was sent. Driven by Python's ftplib, by Outpost's client, and by `outpost ftp` (which
// sends HOST for a host name), plus the argument parser on hostile input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startTestOutpost, type TestOutpost } from '../../src/testing/index.js';
import { FtpClient } from '../../src/ftp/index.js';
import { domainOfHost, parseHostArgument } from '../../src/ftp/codec/host.js';
import { RawFtp, run } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

const ALICE = { address: 'alice@example.test', password: 'wonderland-42' };
const CAROL = { address: 'carol@other.test', password: 'carolling-42' };
const DAVE = { address: 'dave@localhost', password: 'localdave-42' };
const root = resolve(import.meta.dirname, '../..');

let outpost: TestOutpost;
let port: number;
let pub: string;
let shared: string;
let homes: string;
before(async () => {
  const trees = tempDir('outpost-ftp-vhosts-');
  pub = join(trees, 'pub');
  shared = join(trees, 'shared');
  homes = join(trees, 'homes');
  mkdirSync(pub);
  mkdirSync(shared);
  writeFileSync(join(pub, 'pub-only.txt'), 'pub\n');
  writeFileSync(join(shared, 'shared-only.txt'), 'shared\n');
  outpost = await startTestOutpost({
    users: [ALICE, CAROL, DAVE],
    config: {
      ftp: {
        listen: ['127.0.0.1:0'],
        anonymous_root: shared,
        home_root: homes,
        // Spelled as a person might: case and a trailing dot do not matter.
        virtual_hosts: { 'Pub.Example.TEST.': { anonymous_root: pub } },
      },
    },
  });
  const endpoint = outpost.endpoints().find((e) => e.service === 'ftp');
  if (!endpoint) throw new Error('no ftp endpoint');
  port = endpoint.port;
});
after(async () => {
  await outpost.close();
});

/** Runs ftplib: HOST (when given), login, STOR hello.txt, NLST; prints the replies as JSON. */
const PY = `
import ftplib, io, json, sys
port, host, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', port, timeout=10)
out = {}
if host:
    out['host'] = ftp.sendcmd('HOST ' + host)[:3]
try:
    out['login'] = ftp.login(user, password)[:3]
except ftplib.error_perm as e:
    out['login'] = str(e)[:3]
    print(json.dumps(out)); sys.exit(0)
ftp.storbinary('STOR hello.txt', io.BytesIO(('hello from ' + user).encode()))
out['nlst'] = sorted(ftp.nlst())
ftp.quit()
print(json.dumps(out))
`;

async function ftplib(host: string, user: string, password: string): Promise<Record<string, unknown>> {
  const r = await run('python3', ['-c', PY, String(port), host, user, password]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.toString()) as Record<string, unknown>;
}

test("ftplib: HOST example.test makes 'alice' alice@example.test; her upload lands in her home", async () => {
  assert.deepEqual(await ftplib('example.test', 'alice', ALICE.password), {
    host: '220',
    login: '230',
    nlst: ['hello.txt'],
  });
  assert.equal(readFileSync(join(homes, ALICE.address, 'hello.txt'), 'utf8'), 'hello from alice');
  // A name under the domain selects it too.
  assert.equal((await ftplib('ftp.example.test', 'alice', ALICE.password))['login'], '230');
});

test('ftplib: a domain host keeps other domains out; without HOST bare names mean nothing', async () => {
  assert.equal((await ftplib('other.test', 'alice', ALICE.password))['login'], '530');
  assert.equal((await ftplib('example.test', CAROL.address, CAROL.password))['login'], '530');
  assert.equal((await ftplib('other.test', 'carol', CAROL.password))['login'], '230');
  assert.equal(readFileSync(join(homes, CAROL.address, 'hello.txt'), 'utf8'), 'hello from carol');
  // Three domains and no HOST: a bare name is no account; a full address still is.
  assert.equal((await ftplib('', 'alice', ALICE.password))['login'], '530');
  assert.equal((await ftplib('', ALICE.address, ALICE.password))['login'], '230');
});

test('HOST replies: 504 unknown, 501 malformed, 220 for literals and the hostname, 503 after USER', async () => {
  const c = await RawFtp.open(port);
  assert.equal((await c.cmd('HOST unknown.test')).code, 504);
  for (const bad of [
    '127.0.0.1',
    '[not-an-ip]',
    '[127.0.0.1',
    'bad_name',
    'a..b',
    '-x.test',
    `${'a'.repeat(64)}.test`,
  ])
    assert.equal((await c.cmd(`HOST ${bad}`)).code, 501, bad);
  assert.deepEqual(await c.cmd('HOST [127.0.0.1]'), { code: 220, lines: ['Host [127.0.0.1] selected'] });
  assert.equal((await c.cmd('HOST [::1]')).code, 220);
  assert.equal((await c.cmd('HOST localhost')).code, 220);
  assert.equal((await c.cmd('HOST EXAMPLE.TEST.')).code, 220, 'case and a trailing dot do not matter');
  assert.equal((await c.cmd('USER alice')).code, 331);
  assert.equal((await c.cmd('HOST other.test')).code, 503);
  assert.equal((await c.cmd(`PASS ${ALICE.password}`)).code, 230, 'the host chosen before USER holds');
  const stat = await c.cmd('STAT');
  assert.ok(stat.lines.includes('Logged in as alice@example.test'), stat.lines.join('|'));
  assert.ok(stat.lines.includes('Virtual host example.test'), stat.lines.join('|'));
  assert.equal((await c.cmd('HOST other.test')).code, 503);
  // REIN forgets the host: a bare name is no account again.
  assert.equal((await c.cmd('REIN')).code, 220);
  assert.equal((await c.cmd('USER alice')).code, 331);
  assert.equal((await c.cmd(`PASS ${ALICE.password}`)).code, 530);
  c.close();
});

test('anonymous: a [ftp.virtual_hosts] entry has its own tree; other hosts get anonymous_root', async () => {
  const listing = async (host: string | null): Promise<string> => {
    const c = await FtpClient.connect({
      host: '127.0.0.1',
      port,
      ...(host === null ? {} : { virtualHost: host }),
    });
    try {
      await c.login('anonymous', 'guest@');
      return (await c.list()).map((e) => e.name).join(',');
    } finally {
      c.close();
    }
  };
  assert.equal(await listing('pub.example.test'), 'pub-only.txt');
  assert.equal(await listing('files.pub.example.test'), 'pub-only.txt');
  assert.equal(await listing('example.test'), 'shared-only.txt');
  assert.equal(await listing(null), 'shared-only.txt');
});

test("Outpost's client: hostReply tells whether the host was taken; a 504 is not fatal", async () => {
  const c = await FtpClient.connect({ host: '127.0.0.1', port, virtualHost: 'other.test' });
  await c.login('carol', CAROL.password);
  assert.equal(c.hostReply?.code, 220);
  assert.match(await c.pwd(), /^\/$/);
  c.close();
  const d = await FtpClient.connect({ host: '127.0.0.1', port, virtualHost: 'nowhere.test' });
  await d.login(ALICE.address, ALICE.password);
  assert.equal(d.hostReply?.code, 504);
  d.close();
});

test('outpost ftp sends HOST for a host name: ftp://dave@localhost logs in dave@localhost', async () => {
  mkdirSync(join(homes, DAVE.address), { recursive: true });
  writeFileSync(join(homes, DAVE.address, 'x'), '');
  const r = await run(
    process.execPath,
    [
      '--import',
      join(root, 'node_modules/tsx/dist/esm/index.mjs'),
      join(root, 'src/cli/main.ts'),
      'ftp',
      'ls',
      `ftp://dave@localhost:${port}/`,
    ],
    { env: { OUTPOST_FTP_PASSWORD: DAVE.password } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /\bx\b/);
});

test('HOST argument parser: names, literals, hostile input', () => {
  assert.deepEqual(parseHostArgument(' Ftp.Example.TEST. '), { kind: 'name', name: 'ftp.example.test' });
  assert.deepEqual(parseHostArgument('[2001:DB8::1]'), { kind: 'address', address: '2001:db8::1' });
  assert.deepEqual(parseHostArgument('[192.0.2.1]'), { kind: 'address', address: '192.0.2.1' });
  for (const bad of ['', '.', '[]', '[::1', '192.0.2.1', 'a b', 'x\u0000y', 'é.test', `${'a.'.repeat(127)}a`])
    assert.equal(parseHostArgument(bad), null, JSON.stringify(bad));
  assert.equal(
    domainOfHost('a.b.example.test', ['test', 'example.test', 'b.example.test']),
    'b.example.test',
  );
  assert.equal(domainOfHost('badexample.test', ['example.test']), null);
  assert.equal(domainOfHost('example.test', []), null);
});
