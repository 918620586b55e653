/**
 * A running mini-Internet: every suite of DIR/world.toml started in one process (name servers,
 * then the resolver, then the organisations, in file order), generating DIR on first run. Each
 * suite is the same `Suite` `outpost serve` runs, with its own data directory; closing drains
 * them in reverse order.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConfigLoadOptions } from '../core/config/load.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { Suite, type Credential } from '../suite/suite.js';
import { generateWorld } from './generate.js';
import { worldHostRows, type WorldHostRow } from './hosts.js';
import type { WorldPlanOptions } from './plan.js';
import { loadWorldFile, WORLD_FILE, type WorldSuiteConfig } from './world-file.js';

export interface StartWorldOptions extends WorldPlanOptions, ConfigLoadOptions {
  /** The world's directory (DIR); world.toml is generated there when missing. */
  dir: string;
  logger?: Logger;
  /** Where HTTP access lines go (see ServiceContext); default none. */
  accessLogOutput?: (line: string) => void;
}

/** A started world. */
export class World {
  readonly dir: string;
  readonly file: string;
  /** Whether this start generated DIR/world.toml. */
  readonly generated: boolean;
  /** Users created by this start's generation, with their passwords (shown once). */
  readonly newCredentials: readonly Credential[];
  readonly #suites: { name: string; suite: Suite }[];
  #closing: Promise<void> | null = null;

  private constructor(
    dir: string,
    generated: boolean,
    credentials: readonly Credential[],
    suites: { name: string; suite: Suite }[],
  ) {
    this.dir = dir;
    this.file = join(dir, WORLD_FILE);
    this.generated = generated;
    this.newCredentials = credentials;
    this.#suites = suites;
  }

  /** Generates DIR when needed, then starts every suite; on failure closes what started. */
  static async start(options: StartWorldOptions): Promise<World> {
    const dir = resolve(options.dir);
    const file = join(dir, WORLD_FILE);
    const logger = options.logger ?? silentLogger();
    let credentials: readonly Credential[] = [];
    const generated = !existsSync(file);
    if (generated) credentials = (await generateWorld(dir, options)).credentials;
    const configs: WorldSuiteConfig[] = loadWorldFile(file, options);
    const started: { name: string; suite: Suite }[] = [];
    try {
      for (const { name, config } of configs) {
        const suite = await Suite.start({
          config,
          logger: logger.child({ suite: name }),
          ...(options.accessLogOutput === undefined ? {} : { accessLogOutput: options.accessLogOutput }),
        });
        started.push({ name, suite });
      }
    } catch (err) {
      for (const { suite } of started.reverse()) await suite.close();
      throw err;
    }
    return new World(dir, generated, credentials, started);
  }

  /** The suites in start order. */
  get suites(): readonly { readonly name: string; readonly suite: Suite }[] {
    return this.#suites;
  }

  /** One suite by name (`crepes.test`, `resolver`, `root-server`, `tld-test`…). */
  suite(name: string): Suite {
    const found = this.#suites.find((s) => s.name === name);
    if (found === undefined) throw new Error(`no suite ${name} in ${this.file}`);
    return found.suite;
  }

  /** Every endpoint with its host names and role. */
  hosts(): WorldHostRow[] {
    return worldHostRows(
      this.#suites.map(({ name, suite }) => ({
        name,
        config: suite.context.config,
        endpoints: suite.endpoints(),
      })),
    );
  }

  /** Closes every suite in reverse start order (each drains). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const { suite } of [...this.#suites].reverse()) await suite.close();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
