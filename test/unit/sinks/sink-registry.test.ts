import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusRecord } from '../../../src/bus/bus.ts';
import { checkSinkStart } from '../../../src/sinks/sink-registry.ts';
import type { OtlpSinkConfig } from '../../../src/sinks/otlp/otlp-sink-config.ts';
import { sinkConfig } from '../../support/pipeline-deps.ts';
import { signalsFor, testSink } from '../../support/sink-batches.ts';
import { metricValue } from '../../support/test-deps.ts';

describe('checkSinkStart', () => {
  it('an HTTP sink whose tls.ca_file cannot be read cannot start (it is read when the sink is created)', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'qssf-ca-')), 'ca.pem');
    const otlp = (ca_file: string) => sinkConfig<OtlpSinkConfig>({ type: 'otlp', endpoint: 'https://collector:4318', tls: { ca_file, reject_unauthorized: true } });
    expect(await checkSinkStart('otel', otlp(missing))).to.deep.equal([`sinks.otel.tls.ca_file: cannot read ${missing} (ENOENT: no such file or directory)`]);
    writeFileSync(missing, '-----BEGIN CERTIFICATE-----\n');
    expect(await checkSinkStart('otel', otlp(missing))).to.deep.equal([]);
  });
  it('a network backend is not contacted: an HTTP sink without a CA file has nothing to check', async () => {
    expect(await checkSinkStart('otel', sinkConfig<OtlpSinkConfig>({ type: 'otlp', endpoint: 'http://127.0.0.1:1' }))).to.deep.equal([]);
  });
});

describe('createSink: every sink\'s write in the delivery retry loop', () => {
  const record: BusRecord = { id: '1', body: Buffer.from('{}'), meta: { app: 'default', event: 'e', receivedAt: 0 } };
  const batch = { events: [{ record, body: '{}', pii_changed: 0 }], points: [], pointRecords: [] };

  it('a file write that keeps failing is retried with backoff, then dead-lettered as retries_exhausted with the attempts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qssf-registry-'));
    const { sink, metrics } = testSink({ type: 'file', path: dir }, { initial_backoff_ms: 1, max_backoff_ms: 2, max_attempts: 3 });
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'permanent', reason: 'retries_exhausted:file_EISDIR', attempts: 3 });
    expect(await metricValue(metrics, 'qss_forwarder_sink_failures_total', { sink: 's', reason: 'retryable' })).to.equal(3);
    await sink.close();
  });

  it('stopping: a failing file write is not attempted again; answered retryable (nothing committed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qssf-registry-'));
    const { sink, metrics } = testSink({ type: 'file', path: dir }, { initial_backoff_ms: 60000, max_backoff_ms: 60000 });
    const signals = signalsFor();
    setTimeout(() => signals.stopNow(), 20);
    expect(await sink.write(batch, signals)).to.deep.equal({ status: 'retryable', reason: 'stopping' });
    expect(await metricValue(metrics, 'qss_forwarder_sink_failures_total', { sink: 's', reason: 'retryable' })).to.equal(1);
    await sink.close();
  });
});
