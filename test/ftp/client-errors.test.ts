// Every error the FTP client throws carries a code: a scripted server on 127.0.0.1:0 (one reply
// per command, as the script says) makes it meet a malformed greeting, a closed connection, a
// refusal, a data port nobody listens on, and local files it cannot read or write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { FtpClient, FtpReplyError } from '../../src/ftp/index.js';
import { OutpostError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/temp.js';

/** What the scripted server answers to a command line: reply lines, or a function of the socket. */
type Script = Record<string, string | ((control: Socket) => Promise<void> | void)>;

/** A control server that greets with `greeting` and answers verbs from `script` (`500` otherwise). */
async function scripted(greeting: string | null, script: Script = {}): Promise<Server> {
  const server = createServer((control) => {
    control.on('error', () => undefined);
    if (greeting === null) {
      control.destroy();
      return;
    }
    control.write(`${greeting}\r\n`);
    let buffered = '';
    control.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let i = buffered.indexOf('\r\n'); i !== -1; i = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        const answer = script[line.split(' ')[0]?.toUpperCase() ?? ''] ?? '500 no';
        if (typeof answer === 'string') control.write(`${answer}\r\n`);
        else void answer(control);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** A port that refuses connections (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = portOf(s);
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Asserts that `promise` rejects with an OutpostError carrying `code`. */
async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof OutpostError, `not an OutpostError: ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** A data listener the script advertises with EPSV; `serve` runs on the one connection. */
async function dataServer(serve: (data: Socket) => void): Promise<Server> {
  const server = createServer((data) => {
    data.on('error', () => undefined);
    serve(data);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const LOGIN: Script = { USER: '230 in', OPTS: '200 ok', TYPE: '200 ok' };

test('client errors: a greeting that is no FTP reply is ERR_FTP_PROTOCOL', async () => {
  const server = await scripted('hello there');
  try {
    await rejectsWithCode(FtpClient.connect({ host: '127.0.0.1', port: portOf(server) }), 'ERR_FTP_PROTOCOL');
  } finally {
    server.close();
  }
});

test('client errors: a refused connection and a server that hangs up are ERR_CONNECTION_CLOSED', async () => {
  await rejectsWithCode(
    FtpClient.connect({ host: '127.0.0.1', port: await closedPort() }),
    'ERR_CONNECTION_CLOSED',
  );
  const server = await scripted(null);
  try {
    await rejectsWithCode(
      FtpClient.connect({ host: '127.0.0.1', port: portOf(server) }),
      'ERR_CONNECTION_CLOSED',
    );
  } finally {
    server.close();
  }
});

test('client errors: a refusal is an FtpReplyError with ERR_FTP_REPLY and the reply', async () => {
  const server = await scripted('220 hi', { ...LOGIN, CWD: '550 No such directory' });
  const c = await FtpClient.connect({ host: '127.0.0.1', port: portOf(server) });
  try {
    await c.login('u', 'p');
    await assert.rejects(c.cd('nowhere'), (err: unknown) => {
      assert.ok(err instanceof FtpReplyError);
      assert.equal(err.code, 'ERR_FTP_REPLY');
      assert.equal(err.reply.code, 550);
      return true;
    });
    await rejectsWithCode(c.cd('x\r\nDELE important'), 'ERR_UNSAFE_OUTPUT');
  } finally {
    c.close();
    server.close();
  }
});

test('client errors: an EPSV port nobody listens on is ERR_FTP_DATA_CONNECTION', async () => {
  const dead = await closedPort();
  const server = await scripted('220 hi', {
    ...LOGIN,
    EPSV: `229 Entering Extended Passive Mode (|||${dead}|)`,
    LIST: '150 here it comes',
    ABOR: '226 ok',
  });
  const c = await FtpClient.connect({ host: '127.0.0.1', port: portOf(server) });
  try {
    await c.login('u', 'p');
    await rejectsWithCode(c.listRaw(), 'ERR_FTP_DATA_CONNECTION');
  } finally {
    c.close();
    server.close();
  }
});

test('client errors: a local file that cannot be written or read is ERR_FTP_TRANSFER', async () => {
  const work = tempDir('outpost-ftp-client-errors-');
  const data = await dataServer((socket) => {
    socket.end('payload');
  });
  const server = await scripted('220 hi', {
    ...LOGIN,
    EPSV: `229 Entering Extended Passive Mode (|||${portOf(data)}|)`,
    RETR: (control) => {
      control.write('150 sending\r\n');
      setImmediate(() => control.write('226 done\r\n'));
    },
    STOR: (control) => {
      control.write('150 go ahead\r\n');
      setImmediate(() => control.write('226 done\r\n'));
    },
  });
  const c = await FtpClient.connect({ host: '127.0.0.1', port: portOf(server) });
  try {
    await c.login('u', 'p');
    await rejectsWithCode(c.get('remote.txt', join(work, 'no-such-dir', 'local.txt')), 'ERR_FTP_TRANSFER');
    await rejectsWithCode(c.put(join(work, 'missing.txt'), 'remote.txt'), 'ERR_FTP_TRANSFER');
  } finally {
    c.close();
    server.close();
    data.close();
  }
});
