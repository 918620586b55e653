/**
 * The throwaway self-signed development certificate (`data_dir/tls/dev-cert.pem` and
 * `dev-key.pem`) used when no `[tls]` files are configured and an enabled service offers TLS.
 * Generated with `selfsigned`; a certificate already on disk is reused while it is still valid
 * for 30 days, matches its key and covers the wanted names, otherwise it is replaced. Files are
 * written to a temporary name and renamed, the key first and 0600.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { generate } from 'selfsigned';
import { isDnsName } from './net.js';

/** Paths of a PEM certificate chain and its private key. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** A PEM certificate and its PKCS#8 PEM private key. */
export interface CertificatePem {
  cert: string;
  key: string;
}

/** Lifetime of a new certificate: 825 days, the longest CA/B Forum limit clients still accept. */
const LIFETIME_MS = 825 * 24 * 3600 * 1000;
/** A certificate on disk that expires sooner than this is replaced rather than reused. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
/** RFC 5280 Appendix A ub-common-name. */
const MAX_COMMON_NAME = 64;
const LOOPBACK_IPS = ['127.0.0.1', '::1'];

/** The DNS names and IP addresses a development certificate for `names` covers. */
function subjectNames(names: readonly string[]): { dns: string[]; ips: string[] } {
  const dns = new Set<string>();
  const ips = new Set(LOOPBACK_IPS);
  for (const raw of [...names, 'localhost']) {
    const name = raw.trim().toLowerCase().replace(/\.$/, '');
    if (isIP(name) !== 0) ips.add(name);
    // A dNSName holds the preferred name syntax (RFC 5280 §4.2.1.6); other names are left out.
    else if (isDnsName(name)) dns.add(name);
  }
  return { dns: [...dns], ips: [...ips] };
}

/**
 * Generates (with `selfsigned`) an ECDSA P-256 / SHA-256 server certificate for `names`,
 * localhost, 127.0.0.1 and ::1, valid from a minute before `now` for 825 days.
 */
export async function generateSelfSigned(
  names: readonly string[],
  now: Date = new Date(),
): Promise<CertificatePem> {
  const { dns, ips } = subjectNames(names);
  const commonName = dns.find((n) => n.length <= MAX_COMMON_NAME) ?? 'localhost';
  const notBeforeDate = new Date(now.getTime() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + LIFETIME_MS);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...dns.map((value) => ({ type: 2 as const, value })),
          ...ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** True when the pair on disk can serve `names` for at least RENEW_BEFORE_MS more. */
function reusable(files: CertificateFiles, names: readonly string[], now: Date): boolean {
  try {
    const cert = new X509Certificate(readFileSync(files.cert));
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(files.key)))) return false;
    if (Date.parse(cert.validFrom) > now.getTime()) return false;
    if (Date.parse(cert.validTo) - now.getTime() < RENEW_BEFORE_MS) return false;
    const { dns, ips } = subjectNames(names);
    return (
      dns.every((n) => cert.checkHost(n, { subject: 'never', wildcards: false }) === n) &&
      ips.every((ip) => cert.checkIP(ip) !== undefined)
    );
  } catch {
    return false; // missing, unreadable or not PEM: make a new one
  }
}

function writeAtomically(path: string, data: string, mode: number): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, data, { mode, flag: 'wx' });
  renameSync(temp, path);
}

/** Where a data directory keeps its development certificate (PEM); its key is beside it. */
export function devCertificatePath(dataDir: string): string {
  return join(dataDir, 'tls', 'dev-cert.pem');
}

/**
 * Makes sure `dir/tls/dev-cert.pem` and `dev-key.pem` hold a valid development certificate for
 * `names` (see the file comment): reuses the pair on disk when it is still good, else writes a
 * new one. Returns the file paths.
 */
export async function ensureDevCertificate(
  dir: string,
  names: readonly string[],
  now: Date = new Date(),
): Promise<CertificateFiles> {
  const cert = devCertificatePath(dir);
  const tlsDir = dirname(cert);
  const files = { cert, key: join(tlsDir, 'dev-key.pem') };
  if (reusable(files, names, now)) return files;
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const pem = await generateSelfSigned(names, now);
  // Key first: a reader that sees the new certificate also sees its key. Two processes racing
  // can still leave a mismatched pair, which the next reusable() check rejects and replaces.
  writeAtomically(files.key, pem.key, 0o600);
  writeAtomically(files.cert, pem.cert, 0o644);
  return files;
}
