/**
 * What the CLI clients know about a local suite: its data directory (--data, --config's
 * data_dir, $OUTPOST_DATA or ./data) and its configuration (the file, or the embedded default
 * when there is none). With it `outpost mail send` defaults to the suite's submission listener
 * and `outpost mail fetch` to its IMAP listener,
 * and the clients trust the suite's development certificate when the server is on loopback, or
 * say exactly how to trust it when they cannot.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { CLI_CONFIG_LOAD } from './config-warnings.js';
import { resolveServeConfig } from './data-dir.js';
import type { OutpostConfig } from '../core/config/schema.js';
import { isLoopback } from '../core/net.js';
import { devCertificatePath } from '../core/tls-dev-cert.js';
import { OutpostError } from '../core/errors.js';
import { TlsUntrustedError, type UntrustedCertificate } from '../core/tls-trust.js';
import { accountsDatabasePath } from '../suite/suite.js';

/** Where the CLI was told to look (each optional). */
export interface LocalSuiteOptions {
  data?: string;
  config?: string;
}

/** A suite the CLI knows about. */
export interface LocalSuite {
  readonly dataDir: string;
  readonly config: OutpostConfig;
  /** The config file it came from; undefined for the embedded default. */
  readonly configFile: string | undefined;
}

/**
 * The suite in --config, or the embedded default in --data / $OUTPOST_DATA / ./data when that
 * directory holds a suite (its accounts.db); undefined when there is none.
 */
export function findLocalSuite(options: LocalSuiteOptions): LocalSuite | undefined {
  const config = resolveServeConfig(options, CLI_CONFIG_LOAD);
  if (options.config === undefined && !existsSync(accountsDatabasePath(config.data_dir))) return undefined;
  return { dataDir: config.data_dir, config, configFile: options.config };
}

/** Where a client reaches a listener bound to `host`: a wildcard address means loopback. */
function reachable(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** The suite's first submission listener (STARTTLS), or its first SMTPS listener. */
export function submissionServer(
  suite: LocalSuite,
  implicitTls: boolean,
): { host: string; port: number } | undefined {
  const smtp = suite.config.smtp;
  const listener = implicitTls ? smtp?.tls_listen[0] : smtp?.submission_listen[0];
  return listener === undefined ? undefined : { host: reachable(listener.host), port: listener.port };
}

/** The suite's first IMAP listener (STARTTLS), or its first implicit-TLS one. */
export function imapServer(
  suite: LocalSuite,
  implicitTls: boolean,
): { host: string; port: number } | undefined {
  const imap = suite.config.imap;
  const listener = implicitTls ? imap?.tls_listen[0] : imap?.listen[0];
  return listener === undefined ? undefined : { host: reachable(listener.host), port: listener.port };
}

/** True for `localhost` and loopback addresses (127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || (isIP(bare) !== 0 && isLoopback(bare));
}

/** The suite's development certificate file, when it uses one (no `[tls]` files) and it exists. */
export function suiteDevCertificate(suite: LocalSuite | undefined): string | undefined {
  if (suite === undefined || suite.config.tls !== undefined) return undefined;
  const path = devCertificatePath(suite.dataDir);
  return existsSync(path) ? path : undefined;
}

/** Extra CAs for a connection to `host`, and the development certificate among them. */
export interface Trust {
  readonly ca: string[];
  /** The suite's development certificate, trusted because the server is on loopback. */
  readonly devCertificate: string | undefined;
}

/**
 * The CAs to trust besides Node's roots: the PEM of `caFile` if given, and the local suite's
 * development certificate when `host` is loopback (so `outpost mail send` and `outpost http`
 * work against `outpost serve` with no flags).
 */
export function trustFor(host: string, suite: LocalSuite | undefined, caFile?: string): Trust {
  const ca = caFile === undefined ? [] : [readFileSync(caFile, 'utf8')];
  const dev = isLoopbackHost(host) ? suiteDevCertificate(suite) : undefined;
  if (dev !== undefined) ca.push(readFileSync(dev, 'utf8'));
  return { ca, devCertificate: dev };
}

function fingerprintOf(path: string): string | undefined {
  try {
    return new X509Certificate(readFileSync(path)).fingerprint256;
  } catch {
    return undefined;
  }
}

/**
 * What to tell a user whose client refused `cert`: whether it is the known suite's development
 * certificate, and the three ways out (the CA option, NODE_EXTRA_CA_CERTS, the insecure flag).
 */
export function trustAdvice(
  cert: UntrustedCertificate | undefined,
  suite: LocalSuite | undefined,
  flags: { readonly caOption: string; readonly insecureOption: string },
): string {
  const dev = suiteDevCertificate(suite);
  const ours = dev !== undefined && cert !== undefined && fingerprintOf(dev) === cert.fingerprint256;
  const lines: string[] = [];
  if (dev !== undefined && suite !== undefined)
    lines.push(
      ours
        ? `It is the development certificate of the Outpost suite in ${suite.dataDir}.`
        : `It is not the development certificate of the Outpost suite in ${suite.dataDir} (${dev}).`,
    );
  const file = ours ? dev : 'FILE';
  lines.push(
    `To trust it: ${flags.caOption} ${file}, or export NODE_EXTRA_CA_CERTS=${file}` +
      (ours
        ? '.'
        : " (FILE: the server's certificate or its CA in PEM; an Outpost suite's is DATA_DIR/tls/dev-cert.pem, and `outpost serve` prints the line)."),
    `To skip verification (not for real servers): ${flags.insecureOption}.`,
  );
  return lines.join('\n');
}

/**
 * When `err` is a client's TLS refusal (an OutpostError caused by TlsUntrustedError), print it
 * and the way out (`trustAdvice` with `--ca` / `--insecure`) and return true; otherwise false.
 */
export function explainUntrusted(
  err: unknown,
  suite: LocalSuite | undefined,
  stderr: (text: string) => void,
): boolean {
  const untrusted = (err as { cause?: unknown } | undefined)?.cause;
  if (!(untrusted instanceof TlsUntrustedError) || !(err instanceof OutpostError)) return false;
  stderr(`outpost: ${err.message} [${err.code}]\n`);
  stderr(
    `${trustAdvice(untrusted.certificate, suite, { caOption: '--ca', insecureOption: '--insecure' })}\n`,
  );
  return true;
}
