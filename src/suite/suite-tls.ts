/**
 * The suite's TLS material. Configured `[tls]` files are loaded at start (a wrong path stops
 * `outpost serve` at once). Otherwise the development certificate is made or reused only when an
 * enabled service offers TLS (`ServiceDefinition.offersTls`: an implicit-TLS listener,
 * STARTTLS/STLS/AUTH TLS, HTTPS), so a DNS-only suite writes no tls/ files and spends nothing on
 * keys. Every service of a suite shares the one provider.
 */
import type { OutpostConfig } from '../core/config/schema.js';
import type { Logger } from '../core/logger.js';
import { TlsProvider, checkCertificateFiles, ensureDevCertificate } from '../core/tls.js';

/** Hosts a development certificate must cover for `config`. */
function devNames(config: OutpostConfig): string[] {
  return [config.hostname, ...config.domains.map((d) => d.name)];
}

/** The TLS provider of one suite (see the file comment). */
export class SuiteTls {
  /** Null when no service offers TLS, or no certificate could be had (logged). */
  readonly provider: TlsProvider | null;
  /** The development certificate's file when the provider serves it (renewed on reload), else null. */
  readonly devCertificate: string | null;

  private constructor(provider: TlsProvider | null, devCertificate: string | null) {
    this.provider = provider;
    this.devCertificate = devCertificate;
  }

  /**
   * Loads configured `[tls]` files (throws TLS_UNAVAILABLE when they are unusable), or, when
   * `needed`, makes or reuses the development certificate.
   */
  static async open(config: OutpostConfig, logger: Logger, needed: boolean): Promise<SuiteTls> {
    if (config.tls) return new SuiteTls(new TlsProvider(config.tls), null);
    if (!needed) return new SuiteTls(null, null);
    try {
      const files = await ensureDevCertificate(config.data_dir, devNames(config));
      return new SuiteTls(new TlsProvider(files), files.cert);
    } catch (err) {
      logger.warn({ err }, 'no TLS certificate: TLS listeners and STARTTLS are off');
      return new SuiteTls(null, null);
    }
  }

  /**
   * What `open` would refuse, without generating anything: configured `[tls]` files that cannot
   * be loaded (the development certificate needs only a usable data directory).
   */
  static check(config: OutpostConfig): void {
    if (config.tls) checkCertificateFiles(config.tls);
  }

  /**
   * SIGHUP: re-reads the certificate files of the provider (a development certificate is first
   * renewed if it expires soon or no longer covers the configured names). On failure keeps the
   * old context and throws.
   */
  async reload(config: OutpostConfig): Promise<void> {
    if (!this.provider) return;
    if (this.devCertificate !== null) await ensureDevCertificate(config.data_dir, devNames(config));
    this.provider.reload();
  }
}
