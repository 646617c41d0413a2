// Native HTTPS: a real serve process with a certificate made by openssl for this test.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { runCli, startForwarder, writeConfig, type Forwarder } from '../support/start-forwarder.ts';
import { nowSeconds, zoomSignature } from '../support/signed-request.ts';

const SECRET = 'tls-secret';

function httpsPost(port: number, ca: Buffer, tls: { minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<number> {
  const body = '{"event":"meeting.participant_qos","payload":{}}';
  const ts = nowSeconds();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/webhooks/zoom', method: 'POST', ca, servername: 'localhost', ...tls, headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('native HTTPS (real serve process)', function () {
  this.timeout(30000);
  let fwd: Forwarder;
  let cert: Buffer;
  let files: ReturnType<typeof writeConfig>;

  before(async () => {
    files = writeConfig();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(files.dir, 'tls.key'), '-out', join(files.dir, 'tls.crt')], { stdio: 'ignore' });
    cert = readFileSync(join(files.dir, 'tls.crt'));
    writeFileSync(files.config, `${readFileSync(files.config, 'utf8').replace('server:\n', `server:\n  tls:\n    cert_file: ${files.dir}/tls.crt\n    key_file: ${files.dir}/tls.key\n    min_version: TLSv1.3\n`)}`);
    fwd = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
  });
  after(async () => {
    await fwd?.stop();
  });

  it('says it listens on https', () => expect(fwd.logs.find((l) => l.includes('webhook listener started'))).to.include('"scheme":"https"'));
  it('accepts a signed event over TLS 1.3', async () => expect(await httpsPost(fwd.port, cert, { minVersion: 'TLSv1.3' })).to.equal(200));
  it('refuses a client that speaks at most TLS 1.2 when min_version is TLSv1.3', async () => {
    const outcome = await httpsPost(fwd.port, cert, { maxVersion: 'TLSv1.2' }).then((s) => `status ${s}`, (e: Error & { code?: string }) => e.code ?? e.message);
    expect(outcome).to.match(/ERR_SSL|EPROTO|ECONNRESET|alert/i);
  });
  it('exits 1 at start-up when the key file cannot be read', async () => {
    const bad = writeConfig();
    writeFileSync(bad.config, readFileSync(bad.config, 'utf8').replace('server:\n', `server:\n  tls:\n    cert_file: ${files.dir}/tls.crt\n    key_file: ${bad.dir}/missing.key\n`));
    const r = await runCli(['serve', '--config', bad.config, '--sinks', bad.sinks]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ZQ_ERR_STARTUP');
  });
});
