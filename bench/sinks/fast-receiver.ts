// A minimal backend for bench/sinks, run in its own process: reads each request body whole and
// answers what the real backend answers on success (OTLP 200 {}, HEC 200 code 0, Datadog 202). No
// checks (the conformance receivers in test/support do those), so it costs the sink's process nothing.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  req.on('data', (d: Buffer) => (bytes += d.length));
  req.on('end', () => {
    requests++;
    const url = req.url ?? '';
    if (url.startsWith('/v1/metrics')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else if (url.startsWith('/services/collector')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
    else res.writeHead(202, { 'content-type': 'application/json' }).end('{"errors":[]}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('message', () => process.send?.({ requests, bytes }));
process.on('disconnect', () => process.exit(0));
