/**
 * The `dns2` npm package's server (v3 API: `dns2.createServer({ udp: true, handle })` and
 * `listen({ udp: { port, address } })`) answering A records from a map built from the zone file
 * with Outpost's zone parser: A for a known name with A records, NOERROR/empty for other types
 * of known names, NXDOMAIN for unknown names. No CNAME chasing, wildcards or referrals: this is
 * what a typical small dns2-based server does. Run:
 * `node --import tsx bench/dns/dns2-server.ts PORT ZONE-NAME ZONE-FILE`.
 */
import { readFileSync } from 'node:fs';
import dns2 from 'dns2';
import { loadZone } from '../../src/dns/zone/index.js';

const [portText, origin, file] = process.argv.slice(2);
if (portText === undefined || origin === undefined || file === undefined) {
  throw new Error('usage: dns2-server.ts PORT ZONE-NAME ZONE-FILE');
}
const zone = loadZone(readFileSync(file, 'utf8'), { origin, fileName: file });
const names = new Set<string>();
const addresses = new Map<string, string[]>();
for (const rr of zone.records) {
  const name = rr.name.toLowerCase().replace(/\.$/, '');
  names.add(name);
  if (rr.data.type === 'A') addresses.set(name, [...(addresses.get(name) ?? []), rr.data.address]);
}

const { Packet } = dns2;
const server = dns2.createServer({
  udp: true,
  handle: (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    response.header.aa = 1;
    const question = request.questions[0];
    if (question !== undefined) {
      const name = question.name.toLowerCase();
      if (!names.has(name))
        response.header.rcode = 3; // NXDOMAIN
      else if (question.type === Packet.TYPE.A) {
        for (const address of addresses.get(name) ?? []) {
          response.answers.push(
            Packet.createResourceFromQuestion(question, {
              type: Packet.TYPE.A,
              class: Packet.CLASS.IN,
              ttl: 3600,
              address,
            }),
          );
        }
      }
    }
    void send(response);
  },
});
await server.listen({ udp: { port: Number(portText), address: '127.0.0.1' } });
process.on('SIGTERM', () => {
  void server.close();
});
