// What an operator sees of a running `outpost serve`: real clients (dig, curl over HTTP/1.1 and
// HTTP/2, swaks, Python's smtplib, poplib and ftplib) talk to every protocol, then /metrics must
// show their traffic with the right labels, stderr (JSON lines: not a terminal) must hold the
// info-level events (a failed login with the client's address, the accepted message with its
// queue id and its bounce, the zone load, a SIGHUP reload) and never a password, and stdout the
// Combined Log Format lines, the HTTP/2 one naming 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/outpost');
const PASSWORD = 'Correct-Horse-42';
const WRONG = 'Wrong-Battery-17';

/** A port free for both TCP and UDP now (the DNS server and the queue's resolver must agree on it). */
async function freeDnsPort(): Promise<number> {
  for (;;) {
    const tcp = createServer();
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket('udp4');
    const bound = await new Promise<boolean>((ok) => {
      udp.once('error', () => {
        ok(false);
      });
      udp.bind(port, '127.0.0.1', () => {
        ok(true);
      });
    });
    udp.close();
    await new Promise((ok) => tcp.close(ok));
    if (bound) return port;
  }
}

let child: ChildProcess;
let stdout = '';
let stderr = '';
const ports = new Map<string, number>();

/** Waits until `predicate` holds (on output the server writes as it goes). */
async function until(what: string, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!predicate()) {
    assert.ok(Date.now() < deadline, `${what} did not happen; stdout=${stdout}\nstderr=${stderr}`);
    assert.equal(child.exitCode, null, `outpost exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** stderr's JSON log entries. */
function logs(): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function port(key: string): number {
  const p = ports.get(key);
  assert.ok(p !== undefined, `no ${key} in the table: ${stdout}`);
  return p;
}

async function python(script: string): Promise<string> {
  const r = await run('python3', ['-c', script]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.toString();
}

before(async () => {
  const dir = tempDir('outpost-obs-');
  const dns = await freeDnsPort();
  writeFileSync(
    join(dir, 'example.test.zone'),
    [
      '$ORIGIN example.test.',
      '$TTL 300',
      '@ IN SOA ns1 hostmaster 1 3600 600 86400 300',
      '@ IN NS ns1',
      'ns1 IN A 127.0.0.1',
      'www IN A 127.0.0.1',
      '@ IN MX 10 www',
      // RFC 7505 null MX: mail to this domain bounces at the first attempt.
      'nomx IN MX 0 .',
      '',
    ].join('\n'),
  );
  const config = join(dir, 'outpost.toml');
  writeFileSync(
    config,
    `data_dir = "data"
hostname = "mail.example.test"
[[domains]]
name = "example.test"
[[users]]
address = "alice@example.test"
password = "${PASSWORD}"
[dns]
listen = ["127.0.0.1:${dns}"]
zones = [{ name = "example.test", file = "${join(dir, 'example.test.zone')}" }]
[http]
listen = ["127.0.0.1:0"]
tls_listen = ["127.0.0.1:0"]
[smtp]
listen = ["127.0.0.1:0"]
submission_listen = ["127.0.0.1:0"]
dns_server = "127.0.0.1:${dns}"
[pop3]
listen = ["127.0.0.1:0"]
[ftp]
listen = ["127.0.0.1:0"]
[admin]
listen = ["127.0.0.1:0"]
`,
  );
  // No --log-level: the default (info) is what is under test.
  child = spawn(process.execPath, [bin, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  await until('the start-up table', () => stdout.includes('Press Ctrl-C to stop.'));
  for (const m of stdout.matchAll(/^ {2}(\w+) +\S+ +127\.0\.0\.1:(\d+) +(\S+) *(.*)$/gm)) {
    const [, service = '', p = '', tls = '', note = ''] = m;
    const key = note.startsWith('submission') ? 'submission' : tls === 'implicit' ? `${service}s` : service;
    ports.set(key, Number(p));
  }
});

after(async () => {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
});

test('real traffic on every protocol shows in /metrics with bounded labels', async () => {
  const dns = String(port('dns'));
  const a = await run('dig', ['@127.0.0.1', '-p', dns, '+short', 'www.example.test', 'A']);
  assert.equal(a.stdout.toString(), '127.0.0.1\n', a.stderr);
  const nx = await run('dig', ['@127.0.0.1', '-p', dns, 'missing.example.test', 'AAAA']);
  assert.match(nx.stdout.toString(), /status: NXDOMAIN/);
  const mx = await run('dig', ['@127.0.0.1', '-p', dns, '+tcp', '+short', 'example.test', 'MX']);
  assert.equal(mx.stdout.toString(), '10 www.example.test.\n', mx.stderr);

  const http = `http://127.0.0.1:${String(port('http'))}`;
  assert.equal(
    (await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${http}/`])).stdout.toString(),
    '200',
  );
  assert.equal(
    (await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${http}/missing`])).stdout.toString(),
    '404',
  );

  const swaks = await run('swaks', [
    '--server',
    `127.0.0.1:${String(port('submission'))}`,
    '--from',
    'alice@example.test',
    '--to',
    'alice@example.test',
    '--auth',
    'PLAIN',
    '--auth-user',
    'alice@example.test',
    '--auth-password',
    WRONG,
  ]);
  assert.notEqual(swaks.code, 0, 'a wrong password is refused');
  assert.match(swaks.stdout.toString(), /^<\*\* +535 5\.7\.8 /m);

  const pop3 = await python(`
import poplib
p = poplib.POP3('127.0.0.1', ${String(port('pop3'))})
try:
    p.user('alice@example.test'); p.pass_('${WRONG}')
except poplib.error_proto as e:
    print('refused', e)
p = poplib.POP3('127.0.0.1', ${String(port('pop3'))})
p.user('alice@example.test'); p.pass_('${PASSWORD}')
print('stat', p.stat()[0])
try:
    p._shortcmd('XYZZY-' + 'A' * 20)
except poplib.error_proto as e:
    print('unknown', e)
p.quit()
`);
  assert.match(pop3, /^refused /m);
  assert.match(pop3, /^unknown /m);

  const ftp = await python(`
import ftplib, io
f = ftplib.FTP()
f.connect('127.0.0.1', ${String(port('ftp'))})
f.login('alice@example.test', '${PASSWORD}')
f.storbinary('STOR hello.bin', io.BytesIO(b'x' * 5000))
out = io.BytesIO()
f.retrbinary('RETR hello.bin', out.write)
print(len(out.getvalue()))
f.quit()
`);
  assert.equal(ftp, '5000\n');

  const text = (
    await run('curl', ['-s', `http://127.0.0.1:${String(port('admin'))}/metrics`])
  ).stdout.toString();
  const value = (series: RegExp): number => {
    const line = text.split('\n').find((l) => series.test(l));
    assert.ok(line, `no ${String(series)} in\n${text}`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const sub = String(port('submission'));
  assert.equal(
    value(new RegExp(`^outpost_connections_total\\{protocol="smtp",listener="127\\.0\\.0\\.1:${sub}"\\} `)),
    1,
  );
  assert.equal(value(/^outpost_commands_total\{protocol="smtp",verb="AUTH",class="5xx"\} /), 1);
  assert.equal(value(/^outpost_commands_total\{protocol="smtp",verb="EHLO",class="2xx"\} /), 1);
  assert.equal(value(/^outpost_auth_attempts_total\{protocol="smtp",result="failure"\} /), 1);
  assert.equal(value(/^outpost_auth_attempts_total\{protocol="pop3",result="failure"\} /), 1);
  assert.equal(value(/^outpost_auth_attempts_total\{protocol="pop3",result="success"\} /), 1);
  assert.equal(value(/^outpost_auth_attempts_total\{protocol="ftp",result="success"\} /), 1);
  assert.equal(value(/^outpost_commands_total\{protocol="pop3",verb="PASS",class="err"\} /), 1);
  assert.equal(value(/^outpost_commands_total\{protocol="pop3",verb="STAT",class="ok"\} /), 1);
  // The unknown verb is counted under one label value, never as the client sent it.
  assert.equal(value(/^outpost_commands_total\{protocol="pop3",verb="unknown",class="err"\} /), 1);
  assert.doesNotMatch(text, /XYZZY/);
  assert.equal(value(/^outpost_connections_current\{protocol="pop3",listener="127\.0\.0\.1:\d+"\} /), 0);
  assert.equal(value(/^outpost_commands_total\{protocol="ftp",verb="STOR",class="1xx"\} /), 1);
  assert.equal(value(/^outpost_commands_total\{protocol="ftp",verb="PASS",class="2xx"\} /), 1);
  assert.equal(value(/^outpost_ftp_data_bytes_total\{direction="received"\} /), 5000);
  assert.equal(value(/^outpost_ftp_data_bytes_total\{direction="sent"\} /), 5000);
  assert.ok(value(/^outpost_dns_queries_total\{transport="udp",type="A",rcode="NOERROR"\} /) >= 1);
  assert.equal(value(/^outpost_dns_queries_total\{transport="udp",type="AAAA",rcode="NXDOMAIN"\} /), 1);
  assert.equal(value(/^outpost_dns_queries_total\{transport="tcp",type="MX",rcode="NOERROR"\} /), 1);
  assert.equal(value(/^outpost_connections_total\{protocol="dns",listener="127\.0\.0\.1:\d+"\} /), 1);
  assert.equal(value(/^outpost_http_requests_total\{class="2xx"\} /), 1);
  assert.equal(value(/^outpost_http_requests_total\{class="4xx"\} /), 1);
  assert.equal(value(/^outpost_http_request_duration_seconds_count\{class="2xx"\} /), 1);
  assert.equal(value(/^outpost_http_request_duration_seconds_bucket\{class="2xx",le="\+Inf"\} /), 1);
  assert.equal(value(/^outpost_queue_messages /), 0);

  const health = JSON.parse(
    (await run('curl', ['-s', `http://127.0.0.1:${String(port('admin'))}/healthz`])).stdout.toString(),
  ) as { services: string[] };
  assert.deepEqual(health.services, ['dns', 'smtp', 'http', 'admin', 'pop3', 'ftp']);
});

test('a message is accepted with its queue id, bounced, counted; the logs say so without secrets', async () => {
  const sent = await python(`
import smtplib
s = smtplib.SMTP('127.0.0.1', ${String(port('submission'))})
s.ehlo()
s.login('alice@example.test', '${PASSWORD}')
s.mail('alice@example.test')
s.rcpt('someone@nomx.example.test')
s.rcpt('alice@example.test')
code, text = s.data(b'Subject: hello\\r\\n\\r\\nhi\\r\\n')
print(code, text.decode())
s.quit()
`);
  const queueId = /^250 2\.0\.0 OK: queued as (\S+)$/m.exec(sent)?.[1];
  assert.ok(queueId, sent);
  // The runner logs 'bounce sent' from inside the bounce, and the per-recipient 'bounced' line
  // (with the metric) only after it records the attempt: wait for both.
  await until('the bounce', () => {
    const msgs = logs().map((e) => e.msg);
    return msgs.includes('queue: bounce sent') && msgs.includes('queue: bounced');
  });
  const entries = logs();
  const accepted = entries.find((e) => e.msg === 'smtp: message accepted');
  assert.equal(accepted?.queueId, queueId);
  assert.equal(accepted.ip, '127.0.0.1');
  const bounced = entries.find((e) => e.msg === 'queue: bounced');
  assert.equal(bounced?.queueId, queueId);
  assert.equal(bounced.to, 'someone@nomx.example.test');

  const text = (
    await run('curl', ['-s', `http://127.0.0.1:${String(port('admin'))}/metrics`])
  ).stdout.toString();
  assert.match(text, /^outpost_messages_total\{result="accepted"\} 1$/m);
  assert.match(text, /^outpost_deliveries_total\{route="local",result="delivered"\} 1$/m);
  assert.match(text, /^outpost_deliveries_total\{route="remote",result="bounced"\} 1$/m);
  assert.match(text, /^outpost_queue_messages 0$/m);
  assert.match(text, /^outpost_queue_oldest_age_seconds 0$/m);
});

test('info logs: failed logins with the client address, the zone load, a reload; CLF lines on stdout', async () => {
  const h2 = await run('curl', [
    '-sk',
    '--http2',
    '-o',
    '/dev/null',
    '-w',
    '%{http_version}',
    `https://127.0.0.1:${String(port('https'))}/`,
  ]);
  assert.equal(h2.stdout.toString(), '2', h2.stderr);
  await until('the HTTP/2 access line', () => stdout.includes('HTTP/2.0"'));
  // nginx's combined format, raw on stdout; the HTTP/2 client's address is known.
  assert.match(
    stdout,
    /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/2\.0" 200 \d+ "-" "curl\/[\d.]+"$/m,
  );
  assert.match(
    stdout,
    /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/missing HTTP\/1\.1" 404 \d+ "-" "curl\/[\d.]+"$/m,
  );

  child.kill('SIGHUP');
  await until('the reload', () => logs().some((e) => e.msg === 'configuration reloaded'));

  const entries = logs();
  for (const protocol of ['smtp', 'pop3']) {
    const failed = entries.find((e) => e.msg === 'login failed' && e.protocol === protocol);
    assert.equal(failed?.ip, '127.0.0.1', `${protocol}: ${stderr}`);
    assert.equal(failed.user, 'alice@example.test');
  }
  const zone = entries.find((e) => e.msg === 'zone loaded');
  assert.equal(zone?.zone, 'example.test.');
  assert.equal(zone.serial, 1);
  assert.ok(
    entries.every((e) => (e.level as number) >= 30),
    'nothing below info by default',
  );
  // Passwords never reach the log, in clear or inside an AUTH PLAIN payload.
  for (const secret of [PASSWORD, WRONG]) {
    assert.ok(!stderr.includes(secret) && !stdout.includes(secret));
    const plain = Buffer.from(`\0alice@example.test\0${secret}`).toString('base64');
    assert.ok(!stderr.includes(plain));
  }
});
