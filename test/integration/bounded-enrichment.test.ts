// Memory bounds under a hostile signed sender, through a real `serve`: values from Zoom bodies are
// cut to worker.max_attribute_value_chars before they become attributes or cache entries (and
// counted), and the enrichment cache keeps within enrichment.max_cache_mb (issue 13 §5).
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, postSigned } from '../support/signed-request.ts';
import { startForwarder, writeConfig, type Forwarder } from '../support/start-forwarder.ts';

const SECRET = 'bounded-enrichment-secret';
const DEVICE = 'zoom.participant.device';
const example = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/zoom', `${name}.json`), 'utf8');
const lines = (file: string): Record<string, unknown>[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : []);

/** A data event of participant `id` whose `device` is 0.9 MB. */
function hostileData(id: string): string {
  return example('meeting.participant_data').replace('"1234567890"', JSON.stringify(id)).replace('"device": "WIN"', `"device": "${'D'.repeat(900_000)}"`);
}

function forwarderYaml(dir: string, extra: string): string {
  return `data_dir: ${dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: 0\nzoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\nbus:\n  embedded:\n    path: ${dir}/data/bus.sqlite\n    poll_interval_ms: 50\nworker:\n  shutdown_grace_ms: 2000\n${extra}`;
}

async function start(extraYaml: string): Promise<{ fwd: Forwarder; archive: string; points: string }> {
  const files = writeConfig();
  const archive = join(files.dir, 'archive.jsonl');
  const points = join(files.dir, 'points.jsonl');
  writeFileSync(files.config, forwarderYaml(files.dir, extraYaml));
  writeFileSync(
    files.sinks,
    `sinks:\n  archive: { type: file, path: ${archive} }\n  points: { type: file, path: ${points}, data: metrics }\nroutes:\n  - { name: all, sinks: [archive] }\n  - { name: qos, events: [meeting.participant_qos], sinks: [points] }\n`,
  );
  return { fwd: await startForwarder(files), archive, points };
}

async function send(fwd: Forwarder, body: string): Promise<void> {
  expect((await postSigned(`${fwd.url}/webhooks/zoom`, body, { secret: SECRET })).status).to.equal(200);
}

/** The value of one sample in /metrics (the line's labels exactly as written), or undefined. */
async function sample(fwd: Forwarder, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${fwd.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('bounded enrichment memory (real serve process)', function () {
  this.timeout(60000);

  it('a 0.9 MB device reaches the metric points cut to max_attribute_value_chars (default 256) and is counted; the event sink keeps the body verbatim', async () => {
    const { fwd, archive, points } = await start('');
    try {
      const data = hostileData('1234567890'); // the participant of the QoS example
      await send(fwd, data);
      await send(fwd, example('meeting.participant_qos'));
      await eventually(() => (lines(archive).length === 2 && lines(points).length > 0 ? true : undefined), 20000);
      const pts = lines(points) as { attributes: Record<string, string> }[];
      expect(pts.every((p) => p.attributes[DEVICE] === 'D'.repeat(256))).to.equal(true);
      expect(pts.every((p) => Object.values(p.attributes).every((v) => v.length <= 256))).to.equal(true);
      expect(pts.every((p) => p.attributes['zoom.participant.network_type'] === 'Wired')).to.equal(true);
      expect(lines(archive)[0]?.body).to.equal(data);
      const cut = await eventually(() => sample(fwd, `qss_forwarder_pipeline_attribute_values_cut_total{sink="points",attribute="${DEVICE}"}`));
      expect(cut).to.equal(1);
      expect(await sample(fwd, 'qss_forwarder_enrichment_cache_participants')).to.equal(1);
      const bytes = await sample(fwd, 'qss_forwarder_enrichment_cache_bytes');
      expect(bytes).to.be.above(0).and.below(4096);
    } finally {
      expect(await fwd.stop()).to.equal(0);
    }
  });

  it('the cache keeps within enrichment.max_cache_mb: with values up to 65536 characters and 1 MB, the oldest participants are evicted (reason memory)', async () => {
    const { fwd, archive } = await start('  max_attribute_value_chars: 65536\nenrichment:\n  max_cache_mb: 1\n');
    try {
      const n = 12;
      for (let i = 0; i < n; i++) await send(fwd, hostileData(`p${i}`));
      await eventually(() => (lines(archive).length === n ? true : undefined), 20000);
      await eventually(() => sample(fwd, `qss_forwarder_pipeline_attribute_values_cut_total{sink="points",attribute="${DEVICE}"}`).then((v) => (v === n ? v : undefined)), 20000);
      const participants = (await sample(fwd, 'qss_forwarder_enrichment_cache_participants')) ?? -1;
      const evicted = (await sample(fwd, 'qss_forwarder_enrichment_cache_evictions_total{reason="memory"}')) ?? 0;
      const bytes = (await sample(fwd, 'qss_forwarder_enrichment_cache_bytes')) ?? -1;
      // Each entry is ~131 KB estimated (65536 characters × 2 bytes + the rest): 7 fit in 1 MiB.
      expect(participants).to.equal(7);
      expect(evicted).to.equal(n - participants);
      expect(bytes).to.be.above(6 * 131072).and.at.most(1048576);
    } finally {
      expect(await fwd.stop()).to.equal(0);
    }
  });
});
