import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseExplainInput } from '../../../src/cli/parse-explain-input.ts';
import { runExplain, type ExplainOptions } from '../../../src/cli/run-explain.ts';

const DIR = 'test/fixtures/explain';

async function explain(over: Partial<ExplainOptions>): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runExplain({ config: 'config/forwarder.yaml', sinks: join(DIR, 'sinks.yaml'), event: [join(DIR, 'events.jsonl')], app: 'default', format: 'text', ...over }, { stdout, stderr }, {});
  return { code, stdout: out, stderr: err };
}

describe('explain', () => {
  it('prints exactly the expected report (routing, enrichment, custom metrics, PII hashing, non-QSS events)', async () => {
    const r = await explain({});
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(readFileSync(join(DIR, 'expected.txt'), 'utf8'));
  });

  it('is deterministic, and the JSON form carries the same points', async () => {
    const a = await explain({ format: 'json' });
    const b = await explain({ format: 'json' });
    expect(a.stdout).to.equal(b.stdout);
    const report = JSON.parse(a.stdout) as { events: { event: string; sinks: Record<string, { outcome: string; points?: { metric: string; value: number; unit: string }[] }> }[] };
    expect(report.events.map((e) => e.event)).to.deep.equal(['meeting.participant_data', 'meeting.participant_qos', 'phone.call_qos', 'meeting.started']);
    expect(report.events[1]?.sinks.dashboards?.points?.map((p) => [p.metric, p.value, p.unit])).to.deep.equal([
      ['zoom.audio.latency', 134, 'ms'],
      ['zoom.audio.latency', 126, 'ms'],
    ]);
    expect(report.events[0]?.sinks.redacted?.outcome).to.equal('event');
  });

  it('bad inputs: unreadable file, not JSON, not a Zoom body, empty file — exit 1 with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qssf-explain-'));
    const write = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));
    const cases: [string[], string][] = [
      [[join(dir, 'missing.json')], `ZQ_ERR_EXPLAIN_INPUT: cannot read ${join(dir, 'missing.json')} (ENOENT)\n`],
      [[write('bad.jsonl', '{"event":"a"}\nnot json\n')], `ZQ_ERR_EXPLAIN_INPUT: ${join(dir, 'bad.jsonl')}:2: not JSON (expected one Zoom body, a JSON array of bodies, or JSON Lines)\n`],
      [[write('noevent.json', '{"payload":{}}')], `ZQ_ERR_EXPLAIN_INPUT: ${join(dir, 'noevent.json')}: not a Zoom webhook body (no "event")\n`],
      [[write('array.json', '[{"event":"a"}, 3]')], `ZQ_ERR_EXPLAIN_INPUT: ${join(dir, 'array.json')}[1]: expected a JSON object (a Zoom webhook body)\n`],
      [[write('empty.jsonl', '\n\n')], `ZQ_ERR_EXPLAIN_INPUT: ${join(dir, 'empty.jsonl')}: no events in the file\n`],
    ];
    for (const [event, message] of cases) {
      const r = await explain({ event });
      expect([r.code, r.stderr, r.stdout]).to.deep.equal([1, message, '']);
    }
  });

  it('an invalid sinks.yaml is reported like validate does', async () => {
    const r = await explain({ sinks: 'test/fixtures/config/invalid/sinks-routes.yaml' });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ZQ_ERR_CONFIG_INVALID').and.include('unknown sink "archiv"');
  });
});

describe('parseExplainInput', () => {
  it('one pretty-printed body keeps its bytes; a file sink line gives back Zoom\'s body, app and received time', () => {
    const pretty = '{\n  "event": "meeting.participant_qos",\n  "event_ts": 5,\n  "payload": {"account_id": "a", "object": {"uuid": "u"}}\n}\n';
    const one = parseExplainInput(pretty, 'f', 'default');
    expect(one.ok && [one.inputs[0]?.body.toString(), one.inputs[0]?.meta]).to.deep.equal([pretty.trim(), { app: 'default', event: 'meeting.participant_qos', accountId: 'a', instanceKey: 'u', receivedAt: 5 }]);
    const line = JSON.stringify({ id: '9', received_at: '2026-11-27T12:00:00.000Z', app: 'other', event: 'meeting.participant_qos', body: pretty });
    const fromSink = parseExplainInput(`${line}\n`, 'f', 'default');
    expect(fromSink.ok && [fromSink.inputs[0]?.body.toString(), fromSink.inputs[0]?.meta.app, fromSink.inputs[0]?.meta.receivedAt]).to.deep.equal([pretty, 'other', Date.UTC(2026, 10, 27, 12)]);
  });
});
