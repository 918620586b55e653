/**
 * TLS material for every listener: a certificate and key from files (`[tls] cert, key`), or a
 * throwaway self-signed certificate generated into the data directory for the embedded default.
 * Servers ask `current()` at each handshake, so `reload()` (SIGHUP) swaps certificates without
 * dropping connections. The private key file is written 0600 and never committed or logged.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { ErrorCodes, OutpostError } from './errors.js';

/** Paths of a PEM certificate chain and its private key. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** Holds the live SecureContext and rebuilds it from the files on reload. */
export class TlsProvider {
  readonly files: CertificateFiles;
  #context: SecureContext;
  #certPem: string;

  constructor(files: CertificateFiles) {
    this.files = files;
    const { context, certPem } = loadContext(files);
    this.#context = context;
    this.#certPem = certPem;
  }

  /** The context for the next handshake. */
  current(): SecureContext {
    return this.#context;
  }

  /** The certificate chain in PEM (clients in tests trust it as their CA). */
  get certificatePem(): string {
    return this.#certPem;
  }

  /** Re-reads the files; on failure keeps the old context and throws. */
  reload(): void {
    const { context, certPem } = loadContext(this.files);
    this.#context = context;
    this.#certPem = certPem;
  }
}

function loadContext(files: CertificateFiles): { context: SecureContext; certPem: string } {
  try {
    const certPem = readFileSync(files.cert, 'utf8');
    const keyPem = readFileSync(files.key, 'utf8');
    return { context: createSecureContext({ cert: certPem, key: keyPem, minVersion: 'TLSv1.2' }), certPem };
  } catch (err) {
    throw new OutpostError(
      ErrorCodes.TLS_UNAVAILABLE,
      `cannot load TLS certificate ${files.cert} / key ${files.key}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * Makes sure a self-signed development certificate exists in `dir` (tls/dev-cert.pem and
 * tls/dev-key.pem) covering `names` plus localhost and the loopback addresses; generates one
 * when missing. Returns the file paths.
 */
export async function ensureDevCertificate(dir: string, names: readonly string[]): Promise<CertificateFiles> {
  const tlsDir = join(dir, 'tls');
  const files = { cert: join(tlsDir, 'dev-cert.pem'), key: join(tlsDir, 'dev-key.pem') };
  if (existsSync(files.cert) && existsSync(files.key)) return files;
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const pem = await generateSelfSigned(names);
  writeFileSync(files.key, pem.key, { mode: 0o600 });
  writeFileSync(files.cert, pem.cert, { mode: 0o644 });
  return files;
}

/** Generates a self-signed EC certificate valid for `names`, localhost, 127.0.0.1 and ::1. */
export async function generateSelfSigned(names: readonly string[]): Promise<{ cert: string; key: string }> {
  const dnsNames = [...new Set([...names, 'localhost'])];
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: dnsNames[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...dnsNames.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
          { type: 7 as const, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
