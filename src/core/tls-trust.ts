/**
 * Saying which certificate a TLS client refused and why. Node's own refusal destroys the socket
 * before the certificate can be read, so a client that wants to explain itself connects with
 * `rejectUnauthorized: false` and calls `untrustedPeer()` as soon as the handshake is done,
 * before it writes a byte: Node has already run the chain check and `checkServerIdentity`, and
 * `authorized` / `authorizationError` carry their verdict. `TlsUntrustedError` carries the
 * certificate's subject, issuer, names and fingerprint, so a user learns whose certificate it is.
 */
import {
  rootCertificates,
  connect as tlsConnect,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import { ErrorCodes, OutpostError } from './errors.js';

/** A certificate the client did not trust, and why. */
export interface UntrustedCertificate {
  /** OpenSSL's or Node's reason code: DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID… */
  readonly reason: string;
  /** The subject's and issuer's common names (or the whole name when it has no CN). */
  readonly subject: string;
  readonly issuer: string;
  readonly selfSigned: boolean;
  /** subjectAltName as OpenSSL prints it: `DNS:mail.example.test, IP Address:127.0.0.1`. */
  readonly names: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

/** Plain words for the verification failures people meet. */
const REASONS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed and not among the trusted CAs',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a self-signed CA that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not among the trusted CAs',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not among the trusted CAs',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it does not name the host connected to',
};

/** The reason in words, with the code: `it is self-signed … (DEPTH_ZERO_SELF_SIGNED_CERT)`. */
export function reasonText(reason: string): string {
  const words = REASONS[reason];
  return words === undefined ? reason : `${words} (${reason})`;
}

function nameOf(name: PeerCertificate['subject'] | undefined): string {
  if (name === undefined) return '?';
  const cn = name.CN;
  if (typeof cn === 'string') return `CN=${cn}`;
  const parts = Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`);
  return parts.length > 0 ? parts.join(', ') : '?';
}

/** The verdict on a client socket right after its handshake: null when the peer is trusted. */
export function untrustedPeer(socket: TLSSocket): UntrustedCertificate | null {
  if (socket.authorized) return null;
  const cert = socket.getPeerCertificate(true);
  const subject = nameOf(cert.subject);
  const issuer = nameOf(cert.issuer);
  const issuerFingerprint = (cert.issuerCertificate as DetailedPeerCertificate | undefined)?.fingerprint256;
  return {
    reason: String(socket.authorizationError),
    subject,
    issuer,
    // A self-signed certificate names itself as issuer; a chain's root (when sent) points at itself.
    selfSigned: subject === issuer && [undefined, cert.fingerprint256].includes(issuerFingerprint),
    names: cert.subjectaltname ?? '',
    validTo: cert.valid_to,
    fingerprint256: cert.fingerprint256,
  };
}

/** One paragraph about the certificate: whose it is, who signed it, what it covers. */
export function describeCertificate(cert: UntrustedCertificate): string {
  const signer = cert.selfSigned ? 'self-signed' : `issued by ${cert.issuer}`;
  const names = cert.names === '' ? '' : `, names ${cert.names}`;
  return `${cert.subject} (${signer}${names}, valid until ${cert.validTo}, SHA-256 ${cert.fingerprint256})`;
}

/** The server's certificate failed verification; `certificate` says whose it is. */
export class TlsUntrustedError extends OutpostError {
  readonly certificate: UntrustedCertificate;

  constructor(certificate: UntrustedCertificate) {
    super(
      ErrorCodes.TLS_UNTRUSTED,
      `the server's certificate is not trusted: ${reasonText(certificate.reason)}; it is ${describeCertificate(certificate)}`,
    );
    this.name = 'TlsUntrustedError';
    this.certificate = certificate;
  }
}

/**
 * Handshakes with `host:port` only to read its certificate (no byte of application data is
 * sent), for explaining a refusal that happened inside a library that destroyed its socket.
 * Resolves null when the certificate is trusted or the probe fails.
 */
export function probeCertificate(options: {
  readonly host: string;
  readonly port: number;
  readonly servername?: string;
  readonly ca?: readonly string[];
  readonly timeoutMs?: number;
}): Promise<UntrustedCertificate | null> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: options.host,
      port: options.port,
      rejectUnauthorized: false,
      ...(options.servername === undefined ? {} : { servername: options.servername }),
      ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
    });
    const done = (result: UntrustedCertificate | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      done(null);
    }, options.timeoutMs ?? 5000);
    socket.once('secureConnect', () => {
      done(untrustedPeer(socket));
    });
    socket.once('error', () => {
      done(null);
    });
  });
}

/**
 * The `ca` option that trusts `extra` certificates (PEM) besides Node's own roots (a bare `ca`
 * would replace them); nothing when there are none, so Node's defaults apply.
 */
export function caWithRoots(extra: readonly string[] | undefined): { ca?: string[] } {
  return extra !== undefined && extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {};
}
