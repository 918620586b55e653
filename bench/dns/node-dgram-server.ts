/**
 * The Node UDP ceiling: a bare `node:dgram` server that answers every datagram with one fixed,
 * precomputed reply (www.example.test A, two addresses), changing only the message id. No parsing
 * and no lookup, so its rate is what Node's UDP path alone allows on one core; a real server in
 * Node can only approach it. Run: `node --import tsx bench/dns/node-dgram-server.ts PORT`.
 */
import { createSocket } from 'node:dgram';
import { encodeMessage } from '../../src/dns/index.js';

const port = Number(process.argv[2]);
const fixed = encodeMessage({
  header: {
    id: 0,
    qr: true,
    opcode: 0,
    aa: true,
    tc: false,
    rd: false,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
  },
  questions: [{ name: 'www.example.test.', type: 1, class: 1 }],
  answers: [
    { name: 'www.example.test.', type: 1, class: 1, ttl: 3600, data: { type: 'A', address: '192.0.2.80' } },
    { name: 'www.example.test.', type: 1, class: 1, ttl: 3600, data: { type: 'A', address: '192.0.2.81' } },
  ],
  authorities: [],
  additionals: [],
});

const sock = createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  if (msg.length < 12) return;
  // A copy per reply: send() may still be reading the buffer when the next datagram arrives.
  const reply = Buffer.from(fixed);
  reply[0] = msg[0]!;
  reply[1] = msg[1]!;
  sock.send(reply, rinfo.port, rinfo.address);
});
sock.bind(port, '127.0.0.1');
process.on('SIGTERM', () => {
  sock.close();
});
