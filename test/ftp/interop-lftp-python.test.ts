// lftp and Python's ftplib against Outpost's FTP server: lftp mirrors a tree down and up (plain
// and over AUTH TLS, modification times kept through MFMT); ftplib logs in, lists (MLSD and LIST), downloads and uploads in passive and
// active mode, then does the same through FTP_TLS with prot_p (active + TLS included).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PASSWORD, USER, run, startFtp, type FtpFixture } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

let f: FtpFixture;
let work: string;
const blob = randomBytes(700_000);
const PAST = new Date('2021-06-01T08:30:00Z');
before(async () => {
  f = await startFtp();
  work = tempDir('outpost-ftp-peers-');
  mkdirSync(join(f.home, 'tree', 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(f.home, 'tree', 'a.txt'), 'alpha\n');
  writeFileSync(join(f.home, 'tree', 'sub', 'b.bin'), blob);
  writeFileSync(join(f.home, 'tree', 'sub', 'deeper', 'c.txt'), 'gamma\n');
});
after(async () => {
  await f.close();
});

async function lftp(script: string): Promise<string> {
  const r = await run('lftp', ['-c', script], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.toString();
}

const open = (tls: boolean): string =>
  [
    'set cmd:fail-exit yes',
    'set net:max-retries 1',
    'set net:timeout 10',
    `set ftp:ssl-allow ${tls ? 'yes' : 'no'}`,
    ...(tls
      ? ['set ftp:ssl-force yes', 'set ftp:ssl-protect-data yes', 'set ssl:verify-certificate no']
      : []),
    `open -u '${USER}','${PASSWORD}' ftp://127.0.0.1:${f.port}`,
  ].join('; ');

for (const tls of [false, true]) {
  test(`lftp mirrors a tree down and back up${tls ? ' over AUTH TLS' : ''}`, async () => {
    const local = join(work, tls ? 'down-tls' : 'down');
    await lftp(`${open(tls)}; mirror tree ${local}`);
    assert.equal(readFileSync(join(local, 'a.txt'), 'utf8'), 'alpha\n');
    assert.deepEqual(readFileSync(join(local, 'sub', 'b.bin')), blob);
    assert.equal(readFileSync(join(local, 'sub', 'deeper', 'c.txt'), 'utf8'), 'gamma\n');
    writeFileSync(join(local, 'sub', 'new.txt'), 'added locally\n');
    utimesSync(join(local, 'sub', 'new.txt'), PAST, PAST);
    const remote = tls ? 'up-tls' : 'up';
    await lftp(`${open(tls)}; mirror -R ${local} ${remote}`);
    assert.equal(
      statSync(join(f.home, remote, 'sub', 'new.txt')).mtime.getTime(),
      PAST.getTime(),
      'lftp keeps modification times through MFMT',
    );
    assert.deepEqual(readFileSync(join(f.home, remote, 'sub', 'b.bin')), blob);
    assert.equal(readFileSync(join(f.home, remote, 'sub', 'new.txt'), 'utf8'), 'added locally\n');
    assert.equal(readFileSync(join(f.home, remote, 'sub', 'deeper', 'c.txt'), 'utf8'), 'gamma\n');
  });
}

const PY = String.raw`
import ftplib, io, ssl, sys, json
port, user, password, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
if mode.startswith('tls'):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ftp = ftplib.FTP_TLS(context=ctx)
else:
    ftp = ftplib.FTP()
ftp.connect('127.0.0.1', port, timeout=20)
if mode.startswith('tls'):
    ftp.auth()
ftp.login(user, password)
if mode.startswith('tls'):
    ftp.prot_p()
ftp.set_pasv(not mode.endswith('active'))
out = {}
ftp.mkd('py')
ftp.cwd('py')
ftp.storbinary('STOR data.bin', io.BytesIO(bytes(range(256)) * 1000))
ftp.storlines('STOR lines.txt', io.BytesIO(b'l1\nl2\n'))
buf = io.BytesIO()
ftp.retrbinary('RETR data.bin', buf.write)
out['retr_ok'] = buf.getvalue() == bytes(range(256)) * 1000
buf = io.BytesIO()
ftp.retrbinary('RETR data.bin', buf.write, rest=1000)
out['rest_ok'] = buf.getvalue() == (bytes(range(256)) * 1000)[1000:]
lines = []
ftp.retrlines('RETR lines.txt', lines.append)
out['lines'] = lines
out['mlsd'] = sorted(name for name, facts in ftp.mlsd() if facts.get('type') == 'file')
listing = []
ftp.retrlines('LIST', listing.append)
out['list'] = len(listing)
out['size_ascii'] = ftp.size('data.bin')
ftp.voidcmd('TYPE I')
out['size'] = ftp.size('data.bin')
ftp.rename('lines.txt', 'renamed.txt')
out['nlst'] = sorted(ftp.nlst())
ftp.delete('renamed.txt')
out['pwd'] = ftp.pwd()
ftp.quit()
print(json.dumps(out))
`;

for (const mode of ['plain', 'active', 'tls', 'tls-active']) {
  test(`Python ftplib (${mode})`, async () => {
    const dir = `py-${mode}`;
    mkdirSync(join(f.home, dir), { recursive: true });
    const script = PY.replace("ftp.mkd('py')\nftp.cwd('py')", `ftp.cwd('${dir}')`);
    const r = await run('python3', ['-c', script, String(f.port), USER, PASSWORD, mode]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString()) as Record<string, unknown>;
    assert.deepEqual(out, {
      retr_ok: true,
      rest_ok: true,
      lines: ['l1', 'l2'],
      mlsd: ['data.bin', 'lines.txt'],
      list: 2,
      size_ascii: 257_000, // TYPE A: every LF counts as CRLF (RFC 3659 §4)
      size: 256_000,
      nlst: ['data.bin', 'renamed.txt'],
      pwd: `/${dir}`,
    });
    assert.equal(readFileSync(join(f.home, dir, 'data.bin')).length, 256_000);
  });
}
