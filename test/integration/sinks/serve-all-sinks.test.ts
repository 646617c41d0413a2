// config/examples/all.yaml in a real `serve`: every shared Zoom example signed in over HTTP reaches
// the OTLP, Splunk HEC and Datadog conformance receivers as the normalized samples say — while the
// OTLP receiver first answers 503 for a while.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeQssEvent } from '../../../src/pipeline/normalize/normalize-qss-event.ts';
import { startDatadogReceiver } from '../../support/receivers/datadog-receiver.ts';
import { startHecReceiver } from '../../support/receivers/hec-receiver.ts';
import { startOtlpReceiver } from '../../support/receivers/otlp-receiver.ts';
import { eventually, postSigned } from '../../support/signed-request.ts';
import { exampleBodies, movedToNow } from '../../support/sink-batches.ts';
import { ROOT, startForwarder, writeConfig } from '../../support/start-forwarder.ts';

const SECRET = 'all-sinks-secret';

describe('serve with config/examples/all.yaml → OTLP, Splunk HEC and Datadog receivers', function () {
  this.timeout(90000);

  it('every example event arrives at every backend with the normalized values and the samples\' times; a 503 spell loses nothing', async () => {
    const [otlp, hec, dd] = await Promise.all([startOtlpReceiver(), startHecReceiver({ tokens: { 'hec-token': {} } }), startDatadogReceiver({ apiKeys: ['dd-key'] })]);
    otlp.script(...Array.from({ length: 8 }, () => ({ status: 503 })));
    const files = writeConfig();
    writeFileSync(files.config, readFileSync(files.config, 'utf8').replace('bus:\n', `zoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\nbus:\n`).replace('worker:\n', 'worker:\n  retry:\n    initial_backoff_ms: 50\n    max_backoff_ms: 400\n'));
    writeFileSync(files.sinks, readFileSync(join(ROOT, 'config/examples/all.yaml'), 'utf8').replace('./data/events.jsonl', files.eventsFile));
    const env = { OTLP_ENDPOINT: otlp.url, SPLUNK_HEC_URL: hec.url, SPLUNK_HEC_TOKEN: 'hec-token', DD_API_KEY: 'dd-key', DD_URL: dd.url };
    const fwd = await startForwarder(files, env);
    try {
      const now = Date.now();
      const bodies = exampleBodies().map((b) => movedToNow(b.text, now));
      for (const body of bodies) expect((await postSigned(`${fwd.url}/webhooks/zoom`, body, { secret: SECRET })).status).to.equal(200);
      const samples = bodies.flatMap((b) => {
        const n = normalizeQssEvent(JSON.parse(b), now);
        return n.kind === 'qos' ? n.samples : [];
      });
      await eventually(() => (otlp.points.length === samples.length && hec.measurements.length === samples.length && dd.points.length === samples.length && dd.logs.length === bodies.length ? true : undefined), 60000, 200);
      await eventually(() => (hec.events.filter((e) => e.event !== 'metric').length === bodies.length ? true : undefined), 20000, 200);
      expect([otlp.problems, hec.problems, dd.problems]).to.deep.equal([[], [], []]);
      expect(otlp.requests.slice(0, 8).map((r) => r.status)).to.deep.equal(Array(8).fill(503));

      const latency = (s: { metric: string; attributes: Record<string, string> }) => s.metric === 'zoom.qos.latency' && s.attributes['zoom.event'] === 'meeting.participant_qos' && s.attributes['zoom.qos.type'] === 'audio_input';
      const sample = samples.find(latency)!;
      expect(sample.value).to.equal(0.134); // Zoom sent "134 ms"
      const o = otlp.points.find((p) => latency({ metric: p.metric, attributes: p.attributes as Record<string, string> }))!;
      expect([o.value, o.timeUnixNano]).to.deep.equal([0.134, BigInt(sample.time_ms) * 1_000_000n]);
      const h = hec.measurements.find((m) => m.name === 'zoom.qos.latency' && m.dimensions['zoom.event'] === 'meeting.participant_qos' && m.dimensions['zoom.qos.type'] === 'audio_input')!;
      expect([h.value, h.time]).to.deep.equal([0.134, sample.time_ms / 1000]);
      const d = dd.points.find((p) => p.metric === 'zoom.qos.latency' && p.tags.includes('zoom.event:meeting.participant_qos') && p.tags.includes('zoom.qos.type:audio_input'))!;
      expect([d.value, d.timestamp]).to.deep.equal([0.134, Math.floor(sample.time_ms / 1000)]);

      const metrics = await (await fetch(`${fwd.adminUrl}/metrics`)).text();
      expect(metrics).to.match(/qss_forwarder_sink_retries_total\{sink="otel"\} [1-9]/);
      expect(metrics).to.match(/qss_forwarder_sink_requests_total\{sink="otel",result="http_503"\} 8/);
    } finally {
      expect(await fwd.stop()).to.equal(0);
      await Promise.all([otlp.close(), hec.close(), dd.close()]);
    }
  });
});
