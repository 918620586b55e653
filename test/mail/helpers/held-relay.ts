// A scripted relay that accepts one message but holds its reply to the final dot until the test
// releases it: the way to have a queue delivery "in flight" at a chosen moment (close, reload).
import { greetAndEhlo, startScriptedServer, type ScriptedServer } from './scripted-server.js';

export interface HeldRelay {
  readonly server: ScriptedServer;
  /** Resolves when the message's content has arrived (the client waits for the reply). */
  readonly dataSeen: Promise<void>;
  /** Sends `250` for the message (then answers QUIT); without it the reply never comes. */
  release(): void;
}

/** Starts the relay on 127.0.0.1:0; every connection runs the same script. */
export async function startHeldRelay(): Promise<HeldRelay> {
  let seen!: () => void;
  const dataSeen = new Promise<void>((resolve) => {
    seen = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startScriptedServer(async (c) => {
    await greetAndEhlo(c, ['PIPELINING', '8BITMIME']);
    await c.expect('MAIL');
    await c.expect('RCPT');
    await c.expect('DATA');
    c.send('250 ok', '250 ok', '354 go');
    await c.readData();
    seen();
    await released;
    c.send('250 2.0.0 taken by the held relay');
    await c.expect('QUIT');
    c.send('221 bye');
  });
  return { server, dataSeen, release };
}
