// The worker pipeline through a real `serve` process: signed Zoom bodies in over HTTP, routed,
// normalized, enriched and mapped into real files; sinks.yaml changed while it runs.
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, postSigned } from '../support/signed-request.ts';
import { startForwarder, writeConfig, type Forwarder } from '../support/start-forwarder.ts';

const SECRET = 'pipeline-test-secret';
const example = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/zoom', `${name}.json`), 'utf8');
const lines = (file: string): Record<string, unknown>[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];

function forwarderYaml(dir: string, reloadMs: number): string {
  return `data_dir: ${dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: 0\nzoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\nbus:\n  embedded:\n    path: ${dir}/data/bus.sqlite\n    poll_interval_ms: 50\n    retention:\n      interval_ms: 200\nworker:\n  shutdown_grace_ms: 2000\n  sinks_reload_interval_ms: ${reloadMs}\n`;
}

async function send(fwd: Forwarder, body: string): Promise<void> {
  const r = await postSigned(`${fwd.url}/webhooks/zoom`, body, { secret: SECRET });
  expect(r.status).to.equal(200);
}

async function metricsText(fwd: Forwarder): Promise<string> {
  return (await fetch(`${fwd.adminUrl}/metrics`)).text();
}

describe('worker pipeline (real serve process)', function () {
  this.timeout(60000);

  it('routes, normalizes, enriches, maps and redacts: each sink file holds exactly what sinks.yaml says', async () => {
    const files = writeConfig({ sinksYaml: 'sinks:\n  x:\n    type: stdout\n' });
    writeFileSync(files.config, forwarderYaml(files.dir, 0));
    const archive = join(files.dir, 'archive.jsonl');
    const redacted = join(files.dir, 'redacted.jsonl');
    const points = join(files.dir, 'points.jsonl');
    writeFileSync(
      files.sinks,
      `sinks:
  archive:
    type: file
    path: ${archive}
  redacted:
    type: file
    path: ${redacted}
    pii: { mode: drop }
  metrics:
    type: file
    path: ${points}
    data: metrics
    attributes: { deny: [zoom.participant.id] }
    metrics:
      custom:
        - { name: audio.latency.ms, source: avg_latency, unit: ms, qos_types: [audio_input] }
routes:
  - { name: everything, sinks: [archive] }
  - { name: data-only, events: ["*.participant_data"], sinks: [redacted] }
  - { name: qos, events: [meeting.participant_qos, meeting.participant_qos_summary], sinks: [metrics] }
`,
    );
    const fwd = await startForwarder(files);
    try {
      const bodies = [example('meeting.participant_data'), example('meeting.participant_qos'), example('meeting.participant_qos_summary'), example('phone.call_qos')];
      for (const b of bodies) await send(fwd, b);
      await eventually(() => (lines(archive).length === 4 && lines(redacted).length === 1 && lines(points).length > 0 ? true : undefined), 15000);
      // archive: every event, Zoom's exact bytes.
      expect(lines(archive).map((l) => l.body)).to.deep.equal(bodies);
      // redacted: only the data event, without personal fields.
      const red = lines(redacted)[0]!.body as string;
      expect(red).to.include('"device":"WIN"').and.not.include('user@example.com').and.not.include('My PC').and.not.include('192.0.2.1');
      // metrics: meeting QoS only (no phone), enriched with the data event's dimensions, no participant id.
      await eventually(async () => ((await metricsText(fwd)).includes('qss_forwarder_sink_points_delivered_total{sink="metrics"}') ? true : undefined));
      const pts = lines(points) as { metric: string; unit: string; value: number; time: string; attributes: Record<string, string> }[];
      expect(new Set(pts.map((p) => p.attributes['zoom.event']))).to.deep.equal(new Set(['meeting.participant_qos', 'meeting.participant_qos_summary']));
      expect(pts.every((p) => p.attributes['zoom.participant.id'] === undefined)).to.equal(true);
      // The data event's participant (1234567890) is the real-time QoS one; the summary example is another participant.
      const rt = pts.filter((p) => p.attributes['zoom.event'] === 'meeting.participant_qos');
      expect(rt.length).to.be.greaterThan(0);
      expect(rt.every((p) => p.attributes['zoom.participant.device'] === 'WIN' && p.attributes['zoom.data_center'] === 'SC')).to.equal(true);
      expect(pts.filter((p) => p.attributes['zoom.event'] !== 'meeting.participant_qos').every((p) => p.attributes['zoom.participant.device'] === undefined)).to.equal(true);
      const bitrate = pts.find((p) => p.metric === 'zoom.qos.bitrate' && p.attributes['zoom.qos.type'] === 'audio_input' && p.attributes['zoom.event'] === 'meeting.participant_qos');
      expect(bitrate).to.deep.include({ unit: 'bit/s', value: 63000 });
      expect(bitrate?.time).to.equal(new Date(Date.parse(JSON.parse(bodies[1]!).payload.object.participant.qos[0].date_time)).toISOString());
      const custom = pts.filter((p) => p.metric === 'audio.latency.ms');
      expect(custom.length).to.be.greaterThan(0);
      expect(custom.every((p) => p.unit === 'ms' && p.attributes['zoom.qos.stat'] === 'avg' && p.attributes['zoom.qos.type'] === 'audio_input')).to.equal(true);
      const text = await metricsText(fwd);
      expect(text).to.match(/qss_forwarder_pipeline_records_total\{sink="metrics",outcome="not_routed"\} 2/);
      expect(text).to.match(/qss_forwarder_enrichment_cache_lookups_total\{result="hit"\} [1-9]/);
      expect(text).to.match(/qss_forwarder_pii_fields_changed_total\{sink="redacted"\} [1-9]/);
    } finally {
      expect(await fwd.stop()).to.equal(0);
    }
  });

  it('hot reload: an invalid sinks.yaml is refused and counted (the old one keeps running); a valid one is applied without losing or repeating an event', async () => {
    const files = writeConfig();
    writeFileSync(files.config, forwarderYaml(files.dir, 0)); // reload on SIGHUP only: the test decides when
    const points = join(files.dir, 'points.jsonl');
    const qos = example('meeting.participant_qos');
    const numbered = (i: number): string => qos.replace('"event_ts": ', `"test_seq": ${i}, "event_ts": `);
    const fwd = await startForwarder(files);
    try {
      for (let i = 1; i <= 5; i++) await send(fwd, numbered(i));
      await eventually(() => (lines(files.eventsFile).length === 5 ? true : undefined));

      writeFileSync(files.sinks, `sinks:\n  events_file:\n    type: file\n    path: ${files.eventsFile}\nroutes:\n  - sinks: [event_file]\n`);
      fwd.child.kill('SIGHUP');
      const refused = await eventually(() => fwd.logs.find((l) => l.includes('changed sinks.yaml is invalid')));
      expect(refused).to.include('routes.0.sinks.0: unknown sink \\"event_file\\" (did you mean \\"events_file\\"?)');
      expect(await metricsText(fwd)).to.include('qss_forwarder_config_reloads_total{result="rejected"} 1').and.include('qss_forwarder_config_last_reload_ok 0');
      for (let i = 6; i <= 10; i++) await send(fwd, numbered(i));
      await eventually(() => (lines(files.eventsFile).length === 10 ? true : undefined));

      // Valid: events_file changes a setting (restarted at its position), metrics is new.
      writeFileSync(
        files.sinks,
        `sinks:\n  events_file:\n    type: file\n    path: ${files.eventsFile}\n    fsync: false\n  metrics:\n    type: file\n    path: ${points}\n    data: metrics\nroutes:\n  - { sinks: [events_file] }\n  - { events: ["meeting.*"], sinks: [metrics] }\n`,
      );
      const sending = (async () => {
        for (let i = 11; i <= 30; i++) await send(fwd, numbered(i));
      })();
      fwd.child.kill('SIGHUP');
      const applied = await eventually(() => fwd.logs.find((l) => l.includes('sinks.yaml reloaded')));
      expect(JSON.parse(applied)).to.deep.include({ restarted: ['events_file'], started: ['metrics'], stopped: [], kept: [] });
      await sending;
      await eventually(() => (lines(files.eventsFile).length >= 30 ? true : undefined));
      const seqs = lines(files.eventsFile).map((l) => (JSON.parse(l.body as string) as { test_seq: number }).test_seq);
      expect(seqs).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
      await eventually(() => (lines(points).some((p) => (p.attributes as Record<string, string>)['zoom.meeting.uuid'] !== undefined) ? true : undefined));
      const text = await metricsText(fwd);
      expect(text).to.include('qss_forwarder_config_reloads_total{result="applied"} 1').and.include('qss_forwarder_config_last_reload_ok 1');
    } finally {
      expect(await fwd.stop()).to.equal(0);
    }
  });

  it('polls sinks.yaml (a ConfigMap update is seen without a signal)', async () => {
    const files = writeConfig();
    writeFileSync(files.config, forwarderYaml(files.dir, 200));
    const other = join(files.dir, 'other.jsonl');
    const fwd = await startForwarder(files);
    try {
      writeFileSync(files.sinks, `sinks:\n  other:\n    type: file\n    path: ${other}\n`);
      const applied = await eventually(() => fwd.logs.find((l) => l.includes('sinks.yaml reloaded')));
      expect(JSON.parse(applied)).to.deep.include({ started: ['other'], stopped: ['events_file'] });
      await send(fwd, example('meeting.participant_qos'));
      await eventually(() => (lines(other).length === 1 ? true : undefined));
      expect(lines(files.eventsFile)).to.have.length(0);
    } finally {
      expect(await fwd.stop()).to.equal(0);
    }
  });
});
