/**
 * The `outpost http --cache DIR` cache: the shared RFC 9111 rules and directory store
 * (src/http/cache/) with this command's policy on top. It is a private cache that always
 * revalidates: only a storable 200 with a validator (ETag or Last-Modified) is kept, the next GET
 * is made conditional (If-None-Match / If-Modified-Since) and a 304 is answered from the stored
 * body. Bodies over HTTP_LIMITS.clientCacheMaxBytes are not kept.
 */
import {
  entryFor,
  FileCacheStore,
  hasValidator,
  isStorable,
  type FetchedResponse,
  type StoredResponse,
} from '../http/cache/index.js';
import { HTTP_LIMITS } from '../http/limits.js';

export { conditionalHeaders } from '../http/cache/index.js';

/** The command's cache in a directory. */
export class HttpCache {
  readonly #store: FileCacheStore;

  constructor(dir: string) {
    this.#store = new FileCacheStore(dir);
  }

  /** The stored response for `url`, or undefined. */
  get(url: string): StoredResponse | undefined {
    return this.#store.get(url);
  }

  /** Stores a GET's 200 response that has a validator; false when it is not kept. */
  put(fetched: FetchedResponse, body: Buffer): boolean {
    const entry = entryFor(fetched);
    if (fetched.status !== 200 || !hasValidator(entry) || body.length > HTTP_LIMITS.clientCacheMaxBytes)
      return false;
    if (!isStorable({ method: 'GET', headers: fetched.request }, fetched, false)) return false;
    this.#store.put(entry, body);
    return true;
  }
}
