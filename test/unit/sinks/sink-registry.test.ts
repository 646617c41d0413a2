import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSinkStart } from '../../../src/sinks/sink-registry.ts';
import type { OtlpSinkConfig } from '../../../src/sinks/otlp/otlp-sink-config.ts';
import { sinkConfig } from '../../support/pipeline-deps.ts';

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
