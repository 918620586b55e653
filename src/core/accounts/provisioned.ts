/**
 * Remembers, in memory only, which plain password each config-provisioned user's stored hash was
 * made from, so re-applying an unchanged config (every SIGHUP) costs an HMAC per user instead of
 * a scrypt (~110 ms each). Why this design and not another:
 * - Checking the stored hash against the configured password is itself a scrypt: no saving.
 * - Keeping the plain text, or an unkeyed SHA-256 of it, would leave a cheap-to-guess copy of the
 *   password in any heap snapshot or core dump. We keep HMAC-SHA256 under a process-random key
 *   (auth-cache.ts `secretDigest`), useless without that key.
 * - Writing such a digest to disk (to spare the scrypt at start too) would put a fast verifier
 *   next to the scrypt hash and undo its cost for whoever reads the data directory. Nothing here
 *   is persisted, so a fresh process still hashes every plain password once (the suite runs those
 *   in parallel).
 * The digest binds the address, the plain text and the exact stored hash: when the password is
 * changed any other way (the CLI, another process, a `password_hash` entry) it no longer matches
 * and the configured password is applied again, exactly as a restart would.
 */
import { randomBytes } from 'node:crypto';
import { secretDigest } from './auth-cache.js';

/** Digests of (address, plain password, hash made from it) for provisioned users. */
export class ProvisionedSecrets {
  readonly #key = randomBytes(32);
  /** Canonical address (lowercased) -> digest; one entry per user, replaced on change. */
  readonly #digests = new Map<string, string>();

  /** Records that `storedHash` was just made from `password` for `address`. */
  remember(address: string, password: string, storedHash: string): void {
    this.#digests.set(address.toLowerCase(), secretDigest(this.#key, address, password, storedHash));
  }

  /** True when `storedHash` is the one this process made from exactly `password`. */
  matches(address: string, password: string, storedHash: string): boolean {
    const digest = this.#digests.get(address.toLowerCase());
    return digest !== undefined && digest === secretDigest(this.#key, address, password, storedHash);
  }

  /** Drops what is known about `address` (the user was removed). */
  forget(address: string): void {
    this.#digests.delete(address.toLowerCase());
  }
}
