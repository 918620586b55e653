/**
 * The http-cache-tests origin server on 127.0.0.1 only: the suite's own request handlers
 * (server/handle-*.mjs, dispatched as its server/server.mjs does) on a node:http server bound to
 * loopback, where server.mjs would listen on every interface. Run as its own process (its
 * handlers keep module-level state and log to the console); prints `listening PORT` once ready.
 * Usage: node --import tsx origin-main.ts [PORT]   (0 or none: any free port)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SUITE_DIR } from './suite.js';

type Handler = (pathSegs: string[], request: IncomingMessage, response: ServerResponse) => void;
type FileHandler = (url: URL, request: IncomingMessage, response: ServerResponse) => void;

async function handler<T>(file: string): Promise<T> {
  const mod = (await import(pathToFileURL(join(SUITE_DIR, 'server', file)).href)) as { default: T };
  return mod.default;
}

const handleConfig = await handler<Handler>('handle-config.mjs');
const handleTest = await handler<Handler>('handle-test.mjs');
const handleState = await handler<Handler>('handle-state.mjs');
const handleFile = await handler<FileHandler>('handle-file.mjs');

// handle-file.mjs serves files relative to the working directory: the suite's own pages only.
process.chdir(SUITE_DIR);

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost/');
  const segs = url.pathname.split('/').slice(1);
  const dispatch = segs.shift();
  if (dispatch === 'config') handleConfig(segs, request, response);
  else if (dispatch === 'test') handleTest(segs, request, response);
  else if (dispatch === 'state') handleState(segs, request, response);
  else handleFile(url, request, response);
});
server.listen(Number(process.argv[2] ?? '0'), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr !== null ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
