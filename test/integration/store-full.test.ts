// When the event cannot be made durable, Zoom gets 503 + Retry-After (it retries ≥ 500), and
// readiness says so. Here: the store is at max_size_mb (on_full: reject) because the only sink is down.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { downSinkYaml, startForwarder, writeConfig, type Forwarder } from '../support/start-forwarder.ts';
import { eventually, postSigned } from '../support/signed-request.ts';

const SECRET = 'full-secret';

describe('store full (real serve process)', function () {
  this.timeout(30000);
  let fwd: Forwarder;
  after(async () => {
    await fwd?.stop();
  });

  it('answers 503 with Retry-After, turns /readyz to 503, counts the refusals, and stores nothing more', async () => {
    const files = writeConfig();
    writeFileSync(
      files.config,
      `data_dir: ${files.dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\n  retry_after_seconds: 120\nadmin:\n  host: 127.0.0.1\n  port: 0\nbus:\n  embedded:\n    path: ${files.dir}/data/bus.sqlite\n    retention:\n      interval_ms: 100\n      max_size_mb: 0.2\n      on_full: reject\n`,
    );
    writeFileSync(files.sinks, await downSinkYaml()); // nothing is committed
    fwd = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    // Distinct events (an exact replay of an accepted one would not be stored again).
    const body = (n: number) => JSON.stringify({ event: 'meeting.participant_qos', payload: { account_id: 'a', object: { uuid: 'u', n, pad: 'x'.repeat(8000) } } });
    let accepted = 0;
    let sent = 0;
    const refused = await eventually(async () => {
      const res = await postSigned(`${fwd.url}/webhooks/zoom`, body(sent++), { secret: SECRET });
      if (res.status === 200) accepted++;
      return res.status === 503 ? res : undefined;
    }, 20000, 20);
    expect(accepted).to.be.greaterThan(0);
    expect(refused.json).to.deep.equal({ error: 'event store is full; retry later', code: 'ZQ_ERR_BUS_FULL' });
    expect(refused.headers.get('retry-after')).to.equal('120');
    const ready = await fetch(`${fwd.adminUrl}/readyz`);
    expect(ready.status).to.equal(503);
    expect(((await ready.json()) as { detail: string }).detail).to.match(/store full/);
    const metrics = await (await fetch(`${fwd.adminUrl}/metrics`)).text();
    expect(metrics).to.match(/qss_forwarder_bus_write_failures_total\{reason="full"\} [1-9]/);
    expect(metrics).to.match(/qss_forwarder_ingress_requests_total\{app="default",outcome="unavailable",reason="ZQ_ERR_BUS_FULL"\} [1-9]/);
    const writes = Number(/qss_forwarder_bus_writes_total (\d+)/.exec(metrics)?.[1]);
    expect(writes).to.equal(accepted);
  });
});
