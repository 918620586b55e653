/** An MX resolver answering from a table (domain → result), for queue runner tests. */
import type { MxResolver, MxResult } from '../../../src/mail/queue/mx-resolver.js';

/** Resolves from `table`; unknown domains get a permanent "no such domain". */
export function fakeResolver(table: Record<string, MxResult>): MxResolver {
  return {
    resolve: (domain) =>
      Promise.resolve(
        table[domain] ?? {
          kind: 'permanent',
          code: 550,
          status: '5.1.2',
          message: `no such domain ${domain}`,
        },
      ),
  };
}
