/**
 * Moving an origin body to the client, and to the cache when the response is being stored. With
 * no store, the origin is read at the client's pace (backpressure), and a client that leaves ends
 * the origin fetch. With a store, the origin is read at origin speed into the cache's sink (its
 * own backpressure only): a client that falls more than `bufferBytes` behind stops being fed and,
 * once the body is stored, continues from the stored copy at its own pace (or is dropped when the
 * body could not be stored); a client that leaves does not stop the fetch. An origin body that
 * ends early (reset, lying Content-Length, silence) aborts the sink, so nothing partial is
 * stored, and ends the client's response abruptly (HTTP/1.1: the connection closes short of the
 * length; HTTP/2: RST_STREAM), never as if it were complete.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { HttpResponse } from '../http/index.js';

/** Where a stored body goes (the cache's BodySink, see src/proxy/cache/contract.ts). */
export interface RelaySink {
  write(chunk: Buffer): boolean;
  drained(): Promise<void>;
  end(): Promise<boolean>;
  abort(): void;
}

/** How one relay ended. */
export interface RelayResult {
  /** Body octets read from the origin. */
  readonly octets: number;
  /** The origin body arrived whole. */
  readonly complete: boolean;
  /** The body was stored (false without a sink). */
  readonly stored: boolean;
}

/** What a relay takes. */
export interface RelayOptions {
  readonly body: IncomingMessage;
  readonly res: HttpResponse;
  readonly sink?: RelaySink | undefined;
  /** Unread response octets a stored fetch tolerates from its client. */
  readonly bufferBytes: number;
  /**
   * The stored copy's body from `offset` on, for a client that fell behind (undefined when it is
   * gone or differs); absent: such a client is dropped.
   */
  readonly resume?: ((offset: number) => Promise<Readable | undefined>) | undefined;
}

/** Relays `options.body`; resolves when the origin side is done (the client may still be reading). */
export function relay(options: RelayOptions): Promise<RelayResult> {
  const { body, res, sink, bufferBytes } = options;
  return new Promise<RelayResult>((resolve) => {
    let octets = 0;
    /** Octets handed to the client. */
    let sent = 0;
    let attached = true;
    let finished = false;
    const clientGone = (): boolean => gone(res);

    const detach = (): void => {
      attached = false;
      // Without a store, nobody else wants the rest of this body.
      if (sink === undefined) body.destroy();
    };
    res.once('close', () => {
      if (!finished && attached) detach();
    });

    body.on('data', (chunk: Buffer) => {
      octets += chunk.length;
      if (sink !== undefined && !sink.write(chunk)) {
        body.pause();
        void sink.drained().then(() => body.resume());
      }
      if (!attached) return;
      if (clientGone()) {
        detach();
        return;
      }
      if (sink !== undefined && unread(res) > bufferBytes) {
        // The client is slow: stop feeding it; it continues from the stored copy.
        attached = false;
        return;
      }
      sent += chunk.length;
      if (!res.write(chunk) && sink === undefined) {
        body.pause();
        res.once('drain', () => body.resume());
      }
    });

    const done = (complete: boolean): void => {
      if (finished) return;
      finished = true;
      if (!complete) {
        sink?.abort();
        if (!clientGone()) res.destroy();
        resolve({ octets, complete, stored: false });
        return;
      }
      if (sink === undefined) {
        if (attached && !clientGone()) res.end();
        resolve({ octets, complete, stored: false });
        return;
      }
      void sink.end().then((stored) => {
        resolve({ octets, complete, stored });
        if (attached) {
          if (!clientGone()) res.end();
          return;
        }
        if (clientGone()) return;
        if (!stored || options.resume === undefined) {
          res.destroy();
          return;
        }
        void continueFromStore(options.resume, sent, res);
      });
    };
    body.once('end', () => {
      done(body.complete);
    });
    body.once('error', () => {
      done(false);
    });
    body.once('close', () => {
      // 'close' without 'end': the origin connection went away mid-body (or we destroyed it).
      if (!body.complete) done(false);
    });
  });
}

/** The response's writable parts node:http and node:http2's compatibility API both have. */
interface ResponseState {
  readonly writableEnded?: boolean;
  readonly destroyed?: boolean;
  readonly writableLength?: number;
  /** HTTP/2: the stream under the compatibility response. */
  readonly stream?: { readonly writableLength: number; readonly destroyed: boolean };
}

/** True when the client's response is over (ended or destroyed). */
function gone(res: HttpResponse): boolean {
  const r = res as unknown as ResponseState;
  return r.writableEnded === true || r.destroyed === true || r.stream?.destroyed === true;
}

/** Response octets written but not yet taken by the client's connection. */
function unread(res: HttpResponse): number {
  const r = res as unknown as ResponseState;
  return r.stream?.writableLength ?? r.writableLength ?? 0;
}

/** Feeds a client that fell behind from the stored copy, from `offset` on, at its own pace. */
async function continueFromStore(
  resume: (offset: number) => Promise<Readable | undefined>,
  offset: number,
  res: HttpResponse,
): Promise<void> {
  let rest: Readable | undefined;
  try {
    rest = await resume(offset);
  } catch {
    rest = undefined;
  }
  if (rest === undefined) {
    res.destroy();
    return;
  }
  const stream = rest;
  stream.on('error', () => res.destroy());
  res.once('close', () => stream.destroy());
  stream.pipe(res);
}

/** Streams an origin body into the cache alone (a background revalidation); resolves when stored. */
export function store(body: IncomingMessage, sink: RelaySink): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let finished = false;
    const done = (complete: boolean): void => {
      if (finished) return;
      finished = true;
      if (complete) void sink.end().then(resolve);
      else {
        sink.abort();
        resolve(false);
      }
    };
    body.on('data', (chunk: Buffer) => {
      if (!sink.write(chunk)) {
        body.pause();
        void sink.drained().then(() => body.resume());
      }
    });
    body.once('end', () => {
      done(body.complete);
    });
    body.once('error', () => {
      done(false);
    });
    body.once('close', () => {
      if (!body.complete) done(false);
    });
  });
}
