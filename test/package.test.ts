// The published shape: the package's exports map resolves (self-reference, built output), the
// library starts servers on port 0, and outpost/testing gives a disposable Outpost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

// Through a variable so the type checker does not need dist/ to exist.
const load = (specifier: string): Promise<Record<string, unknown>> =>
  import(specifier) as Promise<Record<string, unknown>>;

test('every subpath of the exports map loads from the build', async () => {
  for (const [specifier, names] of [
    [
      'outpost',
      [
        'createDnsServer',
        'createHttpServer',
        'createSmtpServer',
        'createPop3Server',
        'createFtpServer',
        'Suite',
        'TcpService',
        'OutpostError',
        'queryDns',
      ],
    ],
    ['outpost/core', ['LineConnection', 'SqliteAccountStore', 'loadConfigFile', 'subscribeTranscript']],
    ['outpost/dns', ['decodeMessage', 'encodeMessage', 'Authority', 'checkZone']],
    ['outpost/http', ['createHttpServer', 'parseCookieHeader', 'CookieJar', 'evaluatePreconditions']],
    ['outpost/pop3', ['createPop3Server', 'parseCommand']],
    [
      'outpost/mail',
      [
        'createSmtpServer',
        'openSqliteMailStore',
        'openMemoryMailStore',
        'connectSmtp',
        'QueueRunner',
        'buildMessage',
      ],
    ],
    ['outpost/ftp', ['createFtpServer', 'FtpClient']],
    ['outpost/telnet', ['TelnetParser', 'OptionTable', 'encodeSubnegotiation', 'describeCommand']],
    ['outpost/testing', ['startTestOutpost', 'recordTranscript', 'openMemoryMailStore']],
  ] as const) {
    const mod = await load(specifier);
    for (const name of names) assert.equal(typeof mod[name], 'function', `${specifier} exports ${name}`);
  }
  assert.ok(existsSync(new URL('../bin/outpost', import.meta.url)));
});

test('outpost/testing starts a disposable server that answers from an inline zone', async () => {
  const testing = await load('outpost/testing');
  const dns = await load('outpost/dns');
  const start = testing['startTestOutpost'] as (o: unknown) => Promise<{
    dns: { host: string; port: number };
    dataDir: string;
    close(): Promise<void>;
  }>;
  const queryDns = dns['queryDns'] as (
    o: unknown,
  ) => Promise<{ message: { answers: { data: { address?: string } }[] } }>;
  const outpost = await start({
    zones: [
      {
        name: 'crepes.test',
        text: '$ORIGIN crepes.test.\n$TTL 60\n@ SOA ns hm 1 60 60 60 60\n@ NS ns\nns A 127.0.0.1\nwww A 192.0.2.80\n',
      },
    ],
  });
  try {
    const r = await queryDns({ server: outpost.dns, name: 'www.crepes.test', type: 1 });
    assert.equal(r.message.answers[0]?.data.address, '192.0.2.80');
  } finally {
    await outpost.close();
  }
  assert.equal(existsSync(outpost.dataDir), false, 'data directory removed');
});
