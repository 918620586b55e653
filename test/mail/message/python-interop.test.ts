// Interop with Python's email package (a MIME implementation nobody here wrote): messages we build
// parse there with the same subject, addresses, bodies and attachment names, and messages Python
// builds parse here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parseAddressList } from '../../../src/mail/message/address.js';
import { decodeEncodedWords } from '../../../src/mail/message/encoded-word.js';
import { getHeader } from '../../../src/mail/message/headers.js';
import { buildMessage } from '../../../src/mail/message/mime-build.js';
import {
  decodedBody,
  parseMime,
  partFilename,
  textContent,
  walkParts,
} from '../../../src/mail/message/mime-parse.js';

function python(code: string, input: Buffer | string = ''): string {
  const r = spawnSync('python3', ['-c', code], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('Python parses what we build (RFC 2047 subject, RFC 2231 filename, QP and base64 bodies)', () => {
  const msg = buildMessage({
    from: 'Zoë Crêpe <zoe@crepes.test>',
    to: 'Bob <bob@hamburger.test>, "Doe, Jane" <jane@hamburger.test>',
    subject: 'Menü für heute — ☕',
    text: `Grüße!\n${'lange Zeile '.repeat(20)}\n.`,
    html: '<p>Grüße</p>',
    attachments: [{ filename: 'café menu.pdf', content: Buffer.from('%PDF-1.4 fake') }],
  });
  const out = python(
    `import sys, json, email
from email import policy
m = email.message_from_binary_file(sys.stdin.buffer, policy=policy.default)
body = m.get_body(preferencelist=('plain',))
html = m.get_body(preferencelist=('html',))
atts = [(a.get_filename(), a.get_content().decode('latin1')) for a in m.iter_attachments()]
print(json.dumps({'subject': str(m['subject']), 'from': [(a.display_name, a.addr_spec) for a in m['from'].addresses],
  'to': [(a.display_name, a.addr_spec) for a in m['to'].addresses], 'text': body.get_content(), 'html': html.get_content(),
  'atts': atts, 'defects': [str(d) for p in m.walk() for d in p.defects]}))`,
    msg,
  );
  const got = JSON.parse(out) as Record<string, unknown>;
  assert.equal(got['subject'], 'Menü für heute — ☕');
  assert.deepEqual(got['from'], [['Zoë Crêpe', 'zoe@crepes.test']]);
  assert.deepEqual(got['to'], [
    ['Bob', 'bob@hamburger.test'],
    ['Doe, Jane', 'jane@hamburger.test'],
  ]);
  assert.equal(got['text'], `Grüße!\n${'lange Zeile '.repeat(20)}\n.\n`);
  assert.equal(got['html'], '<p>Grüße</p>\n');
  assert.deepEqual(got['atts'], [['café menu.pdf', '%PDF-1.4 fake']]);
  assert.deepEqual(got['defects'], []);
});

test('we parse what Python builds', () => {
  const out = python(`import sys
from email.message import EmailMessage
m = EmailMessage()
m['From'] = 'Zoë <zoe@crepes.test>'
m['To'] = 'Bob <bob@hamburger.test>'
m['Subject'] = 'Crêpes & ☕ ' + 'long subject words ' * 6
m.set_content('Grüße aus Paris\\n' + 'x' * 200 + '\\n')
m.add_alternative('<p>Grüße</p>', subtype='html')
m.add_attachment(bytes(range(256)), maintype='application', subtype='octet-stream', filename='données.bin')
sys.stdout.buffer.write(m.as_bytes(policy=m.policy.clone(linesep='\\r\\n')))`);
  const bytes = Buffer.from(out, 'utf8');
  const root = parseMime(bytes);
  assert.equal(
    decodeEncodedWords(getHeader(root.headers, 'Subject') ?? ''),
    `Crêpes & ☕ ${'long subject words '.repeat(6)}`,
  );
  const from = parseAddressList(getHeader(root.headers, 'From') ?? '');
  assert.deepEqual(
    from.map((a) => a.kind === 'mailbox' && [a.name, a.address]),
    [['Zoë', 'zoe@crepes.test']],
  );
  const parts = walkParts(root);
  const plain = parts.find((p) => p.contentType === 'text/plain');
  const html = parts.find((p) => p.contentType === 'text/html');
  const att = parts.find((p) => p.contentType === 'application/octet-stream');
  assert.ok(plain && html && att);
  assert.equal(textContent(plain).replace(/\r\n/g, '\n'), `Grüße aus Paris\n${'x'.repeat(200)}\n`);
  assert.equal(textContent(html).replace(/\r\n/g, '\n'), '<p>Grüße</p>\n');
  assert.equal(partFilename(att), 'données.bin');
  assert.deepEqual(decodedBody(att), Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
});
