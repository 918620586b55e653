/**
 * Resources several services share for the lifetime of a suite, opened by whichever service
 * needs one first and closed by the suite after every service has stopped. The mail store is
 * the reason this exists: SMTP writes it, POP3/IMAP/webmail read it, and none of them owns it.
 * A resource is named by a typed key (`resourceKey<MailStore>('mail-store')`), declared once by
 * the family that owns the resource, so every user gets the same type without a cast.
 */

/** A resource the suite closes at the end, after every service. */
export interface Closable {
  close(): void | Promise<void>;
}

/** The name of a shared resource together with its type (see `resourceKey`). */
export interface ResourceKey<T extends Closable> {
  readonly name: string;
  /** Type-only: carries `T`; never set at runtime. */
  readonly __resource?: T;
}

/** Declares a shared resource's key: its name and, through the type argument, its type. */
export function resourceKey<T extends Closable>(name: string): ResourceKey<T> {
  return Object.freeze({ name });
}

/** A per-suite registry of shared resources (see the file comment). */
export class SharedResources {
  readonly #resources = new Map<string, Closable>();

  /** The resource under `key`, created by `open` the first time it is asked for. */
  get<T extends Closable>(key: ResourceKey<T>, open: () => T): T {
    let resource = this.#resources.get(key.name);
    if (resource === undefined) {
      resource = open();
      this.#resources.set(key.name, resource);
    }
    // The key's name is declared once with its type (resourceKey), so what is stored under it is a T.
    return resource as T;
  }

  /** Closes every resource, newest first, and forgets them. Errors go to `onError`. */
  async close(onError: (err: unknown, name: string) => void): Promise<void> {
    const entries = [...this.#resources.entries()].reverse();
    this.#resources.clear();
    for (const [name, resource] of entries) {
      try {
        await resource.close();
      } catch (err) {
        onError(err, name);
      }
    }
  }
}
