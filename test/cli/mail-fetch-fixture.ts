/**
 * The suite `outpost mail fetch`'s tests read: startImapOutpost with mail APPENDed by Python's
 * imaplib (flags, non-ASCII headers, 8-bit bytes, a folder with a modified UTF-7 name), a config
 * file that names its IMAP listeners, and the built CLI run from a temporary directory.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startImapOutpost, ALICE, type ImapOutpost } from '../imap/helpers/imap-outpost.js';
import { run as runBytes, runText } from '../helpers/run.js';
import { tempDir } from '../helpers/temp.js';
import { bin } from './helpers.js';

export { ALICE };

/** The running suite and where the CLI runs. */
export interface FetchFixture {
  readonly suite: ImapOutpost;
  readonly work: string;
  /** A config naming the suite's data directory and IMAP listeners. */
  readonly config: string;
  /** The suite's development certificate. */
  readonly cert: string;
  /** Runs `outpost ARGS` (password in the environment unless overridden). */
  outpost(args: readonly string[], env?: NodeJS.ProcessEnv): ReturnType<typeof runText>;
  /** The same, stdout as bytes. */
  outpostBytes(args: readonly string[]): ReturnType<typeof runBytes>;
  /** Runs `outpost mail fetch --config CONFIG --user ALICE ARGS`. */
  fetchAlice(args: readonly string[], env?: NodeJS.ProcessEnv): ReturnType<typeof runText>;
}

export const FIRST = Buffer.concat([
  Buffer.from(
    'From: =?utf-8?q?Bj=C3=B6rn?= <bjorn@example.test>\r\nTo: alice@example.test\r\n' +
      'Subject: =?utf-8?q?R=C3=A9sum=C3=A9?=\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n' +
      'Content-Type: text/plain; charset=latin1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHej ',
  ),
  Buffer.from([0xe5, 0xe4, 0xf6]),
  Buffer.from('.\r\n.a line with a dot\r\n'),
]);
export const SECOND = Buffer.from('From: bob@example.test\r\nSubject: second\r\n\r\nBody two.\r\n');
const WORK = Buffer.from('From: carol@example.test\r\nSubject: in a folder\r\n\r\nWork.\r\n');

const APPEND = String.raw`
import imaplib, ssl, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.starttls(ssl.create_default_context(cafile=sys.argv[2]))
m.login(sys.argv[3], sys.argv[4])
m.create('Work/Projects')
m.create('Caf&AOk-')
m.append('INBOX', '(\\Seen \\Flagged)', None, open(sys.argv[5], 'rb').read())
m.append('INBOX', None, None, open(sys.argv[6], 'rb').read())
m.append('Work/Projects', '(\\Answered)', None, open(sys.argv[7], 'rb').read())
m.logout()
`;

/** Starts the suite and APPENDs the test mail with Python's imaplib (a peer we did not write). */
export async function startFetchFixture(): Promise<FetchFixture> {
  const suite = await startImapOutpost();
  const work = tempDir('outpost-mail-fetch-');
  const cert = join(suite.outpost.dataDir, 'tls', 'dev-cert.pem');
  const config = join(work, 'outpost.toml');
  writeFileSync(
    config,
    `data_dir = ${JSON.stringify(suite.outpost.dataDir)}\n[imap]\nlisten = ["127.0.0.1:${String(suite.port)}"]\ntls_listen = ["127.0.0.1:${String(suite.tlsPort)}"]\n`,
  );
  const files = [FIRST, SECOND, WORK].map((bytes, i) => {
    const file = join(work, `in-${String(i)}.eml`);
    writeFileSync(file, bytes);
    return file;
  });
  const py = await runText('python3', [
    '-c',
    APPEND,
    String(suite.port),
    cert,
    ALICE.address,
    ALICE.password,
    ...files,
  ]);
  assert.equal(py.code, 0, py.stderr);
  const env = { OUTPOST_DATA: '', OUTPOST_IMAP_PASSWORD: ALICE.password, NODE_EXTRA_CA_CERTS: '' };
  return {
    suite,
    work,
    config,
    cert,
    outpost: (args, extra = {}) =>
      runText(process.execPath, [bin, ...args], { cwd: work, env: { ...env, ...extra } }),
    outpostBytes: (args) => runBytes(process.execPath, [bin, ...args], { cwd: work, env }),
    fetchAlice: (args, extra = {}) =>
      runText(
        process.execPath,
        [bin, 'mail', 'fetch', '--config', config, '--user', ALICE.address, ...args],
        { cwd: work, env: { ...env, ...extra } },
      ),
  };
}
