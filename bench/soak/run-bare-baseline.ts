// The capacity probe's in-run baseline: the same simulator, the same traffic and concurrency, at a
// bare node:http server doing only the HMAC check and JSON.parse (bench/ingress/bare-server.ts).
// What it acknowledges per second is the most this machine's simulator can offer; the probe's
// figure over it is the whole system's ingress ratio.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BIN, ROOT } from '../../test/support/start-forwarder.ts';
import { SECRET } from './run-soak.ts';

export interface BareBaseline {
  scenario: 'baseline';
  simulate: { events: { acked: number }; durationMs: number; ackLatencyMs: Record<string, number>; options: Record<string, unknown> };
}

export async function runBareBaseline(simulateArgs: readonly string[]): Promise<BareBaseline> {
  const dir = mkdtempSync(join(tmpdir(), 'qssf-bare-'));
  const bare = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/ingress/bare-server.ts')], { cwd: ROOT, env: { ...process.env, BENCH_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      bare.on('exit', (code) => reject(new Error(`bare server exited (${code})`)));
      createInterface({ input: bare.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    });
    const resultFile = join(dir, 'result.json');
    const sim = spawn(process.execPath, [BIN, 'simulate', '--url', `http://127.0.0.1:${port}/webhooks/zoom`, '--secret', SECRET, '--result', resultFile, ...simulateArgs], { cwd: ROOT, stdio: 'ignore' });
    await new Promise((resolve) => sim.on('exit', resolve));
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as BareBaseline['simulate'];
    return { scenario: 'baseline', simulate: { events: { acked: result.events.acked }, durationMs: result.durationMs, ackLatencyMs: result.ackLatencyMs, options: result.options } };
  } finally {
    bare.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
