/**
 * Resources several services share for the lifetime of a suite, opened by whichever service
 * needs one first and closed by the suite after every service has stopped. The mail store is
 * the reason this exists: SMTP writes it, POP3/IMAP/webmail read it, and none of them owns it.
 * Keys are the resource's name; the factory runs once per suite.
 */

/** A resource the suite closes at the end, after every service. */
export interface Closable {
  close(): void | Promise<void>;
}

/** A per-suite registry of shared resources (see the file comment). */
export class SharedResources {
  readonly #resources = new Map<string, Closable>();

  /** The resource named `name`, created by `open` the first time it is asked for. */
  get<T extends Closable>(name: string, open: () => T): T {
    let resource = this.#resources.get(name);
    if (resource === undefined) {
      resource = open();
      this.#resources.set(name, resource);
    }
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
