// The baseline: a bare node:http server doing the same HMAC check (constant-time compare over the
// raw bytes) and JSON.parse as the ingress, and nothing else (no durability, no framework).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const secret = process.env.BENCH_SECRET ?? '';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const ts = String(req.headers['x-zm-request-timestamp'] ?? '');
    const sig = String(req.headers['x-zm-signature'] ?? '');
    const expected = createHmac('sha256', secret).update(`v0:${ts}:`).update(body).digest();
    const given = Buffer.from(sig.slice(3), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(expected, given)) {
      res.writeHead(401).end();
      return;
    }
    JSON.parse(body.toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
