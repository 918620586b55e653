/**
 * The MailStore contract suite (test/mail/helpers/describe-mail-store.ts) on every backend: the
 * SQLite store in memory and on disk, and the in-memory store.
 */
import { join } from 'node:path';
import { openMemoryMailStore, openSqliteMailStore } from '../../../src/mail/store/index.js';
import { describeMailStore } from '../helpers/describe-mail-store.js';
import { tempDir } from '../../helpers/temp.js';

describeMailStore('SQLite (:memory:)', (o) => openSqliteMailStore({ path: ':memory:', ...o }));

let n = 0;
const dir = tempDir('outpost-contract-');
describeMailStore('SQLite (file)', (o) =>
  openSqliteMailStore({ path: join(dir, `mail-${String(++n)}.db`), ...o }),
);

describeMailStore('memory', (o) => openMemoryMailStore(o));
