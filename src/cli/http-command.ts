/**
 * Registers `outpost http` on the commander program (the options mirror curl's short flags).
 */
import type { Command } from 'commander';
import { collect, runHttp, type HttpCliOptions } from './http.js';

/** Adds the `http` command to `program`. */
export function registerHttpCommand(program: Command, version: () => string): void {
  program
    .command('http')
    .description('make an HTTP request, curl-style (cookie jar shared with curl, conditional-GET cache)')
    .argument('<url>', 'http:// or https:// URL')
    .option('-X, --request <method>', 'request method (default GET, POST with -d, PUT with -T)')
    .option('-H, --header <header>', 'extra request header "Name: value" (repeatable)', collect)
    .option(
      '-d, --data <data>',
      'form data, POSTed as application/x-www-form-urlencoded (repeatable; @file reads a file)',
      collect,
    )
    .option('-T, --upload-file <file>', 'PUT this file')
    .option('-u, --user <user:password>', 'HTTP Basic credentials')
    .option('-o, --output <file>', 'write the body to a file instead of stdout')
    .option('-i, --include', 'include the response status line and headers in the output')
    .option('-v, --verbose', 'print request (>) and response (<) headers on stderr')
    .option('-L, --location', 'follow redirects')
    .option('-f, --fail', 'exit 22 on HTTP status >= 400')
    .option('-k, --insecure', 'do not verify the server certificate')
    .option(
      '--cacert <file>',
      "also trust this CA or certificate (PEM); a local suite's development certificate is trusted on loopback",
    )
    .option('-m, --max-time <seconds>', 'give up after this many seconds')
    .option(
      '-c, --cookie-jar <file>',
      'Netscape cookies.txt to read cookies from and save them to (curl -b/-c format)',
    )
    .option('--cache <dir>', 'cache bodies with their validators; later GETs are conditional')
    .action(async (url: string, opts: HttpCliOptions) => {
      process.exitCode = await runHttp(url, opts, { version: version() });
    });
}
