/**
 * When a password may travel without TLS: the one login policy of every protocol that takes
 * passwords (`[smtp]`, `[pop3]`, `[ftp]`, and IMAP when it comes). The config keys are one zod
 * fragment that each section's schema spreads in, so their names, types and defaults cannot
 * drift apart; the decision is one pure function over what a session knows of its connection.
 */
import { z } from 'zod';
import { isLoopback } from '../net.js';

/** Whether plaintext (non-TLS) logins are allowed, and from where. */
export interface LoginPolicy {
  /** Passwords without TLS from 127.0.0.0/8 and ::1 (`allow_plaintext_on_loopback`, default true). */
  readonly allowPlaintextOnLoopback: boolean;
  /** Passwords without TLS from every other client (`allow_plaintext_login`, default false). */
  readonly allowPlaintextLogin: boolean;
  /** No password without TLS at all, loopback included; wins over both (`require_tls`, default false). */
  readonly requireTls: boolean;
}

/** The defaults: plaintext from loopback only. */
export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  allowPlaintextOnLoopback: true,
  allowPlaintextLogin: false,
  requireTls: false,
};

/** The login-policy keys of a protocol section, spread into its `z.strictObject`. */
export const loginPolicyKeys = {
  /** Passwords without TLS from 127.0.0.0/8 and ::1. */
  allow_plaintext_on_loopback: z.boolean().default(DEFAULT_LOGIN_POLICY.allowPlaintextOnLoopback),
  /** Passwords without TLS from non-loopback clients. */
  allow_plaintext_login: z.boolean().default(DEFAULT_LOGIN_POLICY.allowPlaintextLogin),
  /** Refuse passwords without TLS even on loopback. */
  require_tls: z.boolean().default(DEFAULT_LOGIN_POLICY.requireTls),
};

/** The validated keys as a section carries them. */
export interface LoginPolicyConfig {
  readonly allow_plaintext_on_loopback: boolean;
  readonly allow_plaintext_login: boolean;
  readonly require_tls: boolean;
}

/** The policy a validated section asks for. */
export function loginPolicyFromConfig(section: LoginPolicyConfig): LoginPolicy {
  return {
    allowPlaintextOnLoopback: section.allow_plaintext_on_loopback,
    allowPlaintextLogin: section.allow_plaintext_login,
    requireTls: section.require_tls,
  };
}

/**
 * The options the servers took before the login policy: `plaintextAuthOnLoopback` (SMTP),
 * `allowPlaintextOnLoopback` (POP3), `requireTls` and `allowPlaintextLogin` (FTP sessions).
 * Deprecated: they keep working, and a `loginPolicy` key given beside them wins.
 */
export interface LegacyLoginOptions {
  readonly plaintextAuthOnLoopback?: boolean | undefined;
  readonly allowPlaintextOnLoopback?: boolean | undefined;
  readonly requireTls?: boolean | undefined;
  readonly allowPlaintextLogin?: boolean | undefined;
}

/** `policy` with the deprecated options of `legacy` filled in under it. */
export function withLegacyLoginOptions(
  policy: Partial<LoginPolicy> | undefined,
  legacy: LegacyLoginOptions,
): Partial<LoginPolicy> {
  const fromLegacy: { -readonly [K in keyof LoginPolicy]?: boolean } = {};
  const onLoopback = legacy.allowPlaintextOnLoopback ?? legacy.plaintextAuthOnLoopback;
  if (onLoopback !== undefined) fromLegacy.allowPlaintextOnLoopback = onLoopback;
  if (legacy.requireTls !== undefined) fromLegacy.requireTls = legacy.requireTls;
  if (legacy.allowPlaintextLogin !== undefined) fromLegacy.allowPlaintextLogin = legacy.allowPlaintextLogin;
  return { ...fromLegacy, ...policy };
}

/** A library caller's partial policy with the defaults filled in. */
export function resolveLoginPolicy(policy: Partial<LoginPolicy> = {}): LoginPolicy {
  return { ...DEFAULT_LOGIN_POLICY, ...policy };
}

/**
 * A server option's policy as the getter sessions ask per use: a function (the suite's, which a
 * reload replaces) is used as it is; a partial policy is resolved once against the defaults.
 */
export function loginPolicyGetter(
  policy: Partial<LoginPolicy> | (() => LoginPolicy) | undefined,
): () => LoginPolicy {
  if (typeof policy === 'function') return policy;
  const fixed = resolveLoginPolicy(policy);
  return () => fixed;
}

/** True when a password may be sent on this connection now: over TLS always, else as the policy says. */
export function passwordAllowed(
  policy: LoginPolicy,
  connection: { readonly secure: boolean; readonly remoteAddress: string },
): boolean {
  if (connection.secure) return true;
  if (policy.requireTls) return false;
  return isLoopback(connection.remoteAddress) ? policy.allowPlaintextOnLoopback : policy.allowPlaintextLogin;
}
