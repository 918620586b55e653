/**
 * TLS material for every listener: a certificate and key from files (`[tls] cert, key`), or a
 * throwaway self-signed certificate generated into the data directory for the embedded default
 * (tls-dev-cert.ts).
 * Servers ask `current()` at each handshake, so `reload()` (SIGHUP) swaps certificates without
 * dropping connections. The private key file is written 0600 and never committed or logged.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import { ErrorCodes, OutpostError } from './errors.js';
import type { CertificateFiles } from './tls-dev-cert.js';

export { ensureDevCertificate, generateSelfSigned, type CertificateFiles } from './tls-dev-cert.js';

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

/**
 * Reads and parses the certificate and key as a TlsProvider does, keeping nothing: throws the
 * same TLS_UNAVAILABLE error (`outpost config check`).
 */
export function checkCertificateFiles(files: CertificateFiles): void {
  loadContext(files);
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
