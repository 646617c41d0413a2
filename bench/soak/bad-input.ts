// Bad input at a real `serve`: thousands of requests of every wrong kind — garbage, truncated and
// oversized bodies, deeply nested JSON, wrong/missing/replayed signatures and timestamps, wrong
// content types, methods and paths — plus slow-loris connections. Checks: the right status for
// each class, the process never dies, nothing of it is stored or forwarded, memory stays flat, and
// a good event still gets through at the end. `npm run bench:bad-input` (default 12,000 requests);
// a shorter run is a test (test/integration/bad-input.test.ts).
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { startForwarder, writeConfig } from '../../test/support/start-forwarder.ts';

const SECRET = 'bad-input-secret';

export interface BadInputReport {
  requests: number;
  /** class → { expected status, answered: status → count } */
  classes: Record<string, { expected: string; answered: Record<string, number> }>;
  wrongAnswers: number;
  stored: number;
  forwarded: number;
  alive: boolean;
  rssMb: { before: number; after: number };
  slowLoris: { opened: number; closedByServer: number };
  goodEventAccepted: boolean;
  wallMs: number;
}

const sign = (ts: string, body: Buffer | string): string => `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:`).update(body).digest('hex')}`;
const now = (): string => String(Math.floor(Date.now() / 1000));
const rssOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(stat[21]) * 4096) / 1e6;
};

interface Probe {
  cls: string;
  expected: (status: number | 'cut') => boolean;
  expectedText: string;
  make(i: number): { method: string; path: string; headers: Record<string, string>; body?: Buffer | string };
}

function probes(): Probe[] {
  const json = { 'content-type': 'application/json' };
  const signed = (body: Buffer | string, extra: Record<string, string> = {}) => {
    const ts = now();
    return { ...json, 'x-zm-request-timestamp': ts, 'x-zm-signature': sign(ts, body), ...extra };
  };
  const garbage = (i: number): Buffer => Buffer.from(Array.from({ length: 50 + (i % 400) }, (_, k) => (k * 7919 + i * 104729) % 256));
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
  const valid = (i: number): string => `{"event":"meeting.participant_qos","event_ts":${Date.now()},"payload":{"account_id":"a","object":{"uuid":"u${i}","participant":{"user_id":"1","qos":[]}}}}`;
  const is = (...codes: number[]) => (s: number | 'cut') => typeof s === 'number' && codes.includes(s);
  return [
    { cls: 'unsigned garbage', expected: is(401), expectedText: '401', make: (i) => ({ method: 'POST', path: '/webhooks/zoom', headers: json, body: garbage(i) }) },
    { cls: 'signed garbage (not JSON / not UTF-8)', expected: is(400), expectedText: '400', make: (i) => { const b = garbage(i); return { method: 'POST', path: '/webhooks/zoom', headers: signed(b), body: b }; } },
    { cls: 'signed JSON without event', expected: is(400), expectedText: '400', make: (i) => { const b = i % 2 === 0 ? '[1,2,3]' : '{"payload":{}}'; return { method: 'POST', path: '/webhooks/zoom', headers: signed(b), body: b }; } },
    { cls: 'deeply nested JSON (signed, no event)', expected: is(400), expectedText: '400', make: (i) => { const b = deep(1000 + (i % 100_000)); return { method: 'POST', path: '/webhooks/zoom', headers: signed(b), body: b }; } },
    { cls: 'oversized body (> max_body_bytes)', expected: is(413), expectedText: '413', make: () => ({ method: 'POST', path: '/webhooks/zoom', headers: { ...json, 'x-zm-request-timestamp': now(), 'x-zm-signature': 'v0=00' }, body: Buffer.alloc(1_100_000, 0x20) }) },
    { cls: 'wrong signature', expected: is(401), expectedText: '401', make: (i) => ({ method: 'POST', path: '/webhooks/zoom', headers: { ...json, 'x-zm-request-timestamp': now(), 'x-zm-signature': `v0=${'ab'.repeat(32)}` }, body: valid(i) }) },
    { cls: 'missing or garbled timestamp', expected: is(401), expectedText: '401', make: (i) => { const b = valid(i); const h = signed(b); if (i % 2 === 0) delete (h as Record<string, string>)['x-zm-request-timestamp']; else h['x-zm-request-timestamp'] = 'yesterday'; return { method: 'POST', path: '/webhooks/zoom', headers: h, body: b }; } },
    { cls: 'replayed (old timestamp, valid signature)', expected: is(401), expectedText: '401', make: (i) => { const b = valid(i); const ts = String(Math.floor(Date.now() / 1000) - 3600); return { method: 'POST', path: '/webhooks/zoom', headers: { ...json, 'x-zm-request-timestamp': ts, 'x-zm-signature': sign(ts, b) }, body: b }; } },
    { cls: 'signature of another body', expected: is(401), expectedText: '401', make: (i) => { const ts = now(); return { method: 'POST', path: '/webhooks/zoom', headers: { ...json, 'x-zm-request-timestamp': ts, 'x-zm-signature': sign(ts, valid(i + 1)) }, body: valid(i) }; } },
    { cls: 'wrong content type', expected: is(415), expectedText: '415', make: (i) => { const b = valid(i); return { method: 'POST', path: '/webhooks/zoom', headers: { ...signed(b), 'content-type': 'text/plain' }, body: b }; } },
    { cls: 'wrong method', expected: is(405), expectedText: '405', make: (i) => ({ method: ['GET', 'PUT', 'DELETE', 'PATCH'][i % 4]!, path: '/webhooks/zoom', headers: {} }) },
    { cls: 'wrong path or unknown app', expected: is(404), expectedText: '404', make: (i) => ({ method: 'POST', path: ['/', '/webhooks', '/webhooks/zoom/nope', '/admin', '/../etc/passwd'][i % 5]!, headers: json, body: '{}' }) },
  ];
}

/** A request whose Content-Length promises more than is sent: the server must give up on it. */
function truncated(port: number): Promise<'cut' | number> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write('POST /webhooks/zoom HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"event":"meeting.part');
      s.end();
    });
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('close', () => resolve(data.startsWith('HTTP/1.1 ') ? Number(data.slice(9, 12)) : 'cut'));
    s.on('error', () => resolve('cut'));
  });
}

export async function runBadInput(options: { requests: number; slowLoris: number }): Promise<BadInputReport> {
  const t0 = performance.now();
  const files = writeConfig();
  writeFileSync(files.config, `data_dir: ${files.dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\n  request_timeout_ms: 5000\nadmin:\n  host: 127.0.0.1\n  port: 0\nzoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\nbus:\n  embedded:\n    path: ${files.dir}/data/bus.sqlite\n`);
  const fwd = await startForwarder(files);
  const port = Number(new URL(fwd.url).port);
  const pid = fwd.child.pid!;
  const report: BadInputReport = { requests: 0, classes: {}, wrongAnswers: 0, stored: 0, forwarded: 0, alive: true, rssMb: { before: rssOf(pid), after: 0 }, slowLoris: { opened: 0, closedByServer: 0 }, goodEventAccepted: false, wallMs: 0 };
  const pool = new Pool(fwd.url, { connections: 16, pipelining: 1 });
  // Slow-loris: connections that send headers a byte at a time and never finish.
  const loris: Socket[] = [];
  let lorisClosed = 0;
  for (let i = 0; i < options.slowLoris; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => lorisClosed++);
    s.write('POST /webhooks/zoom HTTP/1.1\r\nHost: x\r\n');
    loris.push(s);
  }
  const drip = setInterval(() => loris.forEach((s) => s.destroyed || s.write('X-Slow: 1\r\n')), 500);
  try {
    const list = probes();
    const perClass = Math.ceil(options.requests / (list.length + 1));
    for (const p of list) report.classes[p.cls] = { expected: p.expectedText, answered: {} };
    report.classes['truncated body'] = { expected: 'connection closed or 400', answered: {} };
    const jobs: Promise<void>[] = [];
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < perClass; i++) {
      for (const p of list) {
        const req = p.make(i);
        const job = pool
          .request({ method: req.method as 'POST', path: req.path, headers: req.headers, body: req.body ?? null })
          .then(async (r) => {
            await r.body.dump();
            return r.statusCode as number | 'cut';
          }, () => 'cut' as const)
          .then((status) => {
            const c = report.classes[p.cls]!;
            c.answered[String(status)] = (c.answered[String(status)] ?? 0) + 1;
            if (!p.expected(status)) report.wrongAnswers++;
            report.requests++;
          });
        inFlight.add(job);
        void job.finally(() => inFlight.delete(job));
        if (inFlight.size >= 64) await Promise.race(inFlight);
        jobs.push(job);
      }
      if (i % 10 === 0) {
        const status = await truncated(port);
        const c = report.classes['truncated body']!;
        c.answered[String(status)] = (c.answered[String(status)] ?? 0) + 1;
        if (status !== 'cut' && status !== 400) report.wrongAnswers++;
        report.requests++;
      }
    }
    await Promise.all(jobs);
    report.slowLoris.opened = loris.length;
    // The server must drop the slow-loris connections (request timeout) while answering others.
    const deadline = Date.now() + 15_000;
    while (lorisClosed < loris.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    report.slowLoris.closedByServer = lorisClosed;
    // A good event still gets through.
    const good = `{"event":"meeting.participant_qos","event_ts":${Date.now()},"payload":{"account_id":"a","object":{"uuid":"good","participant":{"user_id":"1","qos":[]}}}}`;
    const ts = now();
    const r = await pool.request({ method: 'POST', path: '/webhooks/zoom', headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': sign(ts, good) }, body: good });
    await r.body.dump();
    report.goodEventAccepted = r.statusCode === 200;
    await new Promise((res) => setTimeout(res, 1000));
    report.rssMb.after = rssOf(pid);
    report.alive = fwd.child.exitCode === null;
  } finally {
    clearInterval(drip);
    loris.forEach((s) => s.destroy());
    await pool.close();
    await fwd.stop();
  }
  const db = new Database(join(files.dir, 'data/bus.sqlite'), { readonly: true });
  // Retention may already have deleted delivered rows: count what the sink got too.
  report.stored = (db.prepare("SELECT COUNT(*) FROM events WHERE CAST(body AS TEXT) NOT LIKE '%\"uuid\":\"good\"%'").pluck().get() as number) + (db.prepare('SELECT COUNT(*) FROM dead_letters').pluck().get() as number);
  db.close();
  report.forwarded = existsSync(files.eventsFile) ? readFileSync(files.eventsFile, 'utf8').split('\n').filter((l) => l !== '' && !l.includes('good')).length : 0;
  report.wallMs = performance.now() - t0;
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runBadInput({ requests: Number(process.argv[2] ?? 12000), slowLoris: 200 });
  console.log(JSON.stringify(r, null, 2));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'bad-input.json'), `${JSON.stringify(r, null, 1)}\n`);
  process.exitCode = r.wrongAnswers === 0 && r.stored === 0 && r.forwarded === 0 && r.alive && r.goodEventAccepted ? 0 : 1;
}
