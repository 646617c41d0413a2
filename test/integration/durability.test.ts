// kill -9 right after acknowledgements: every event that got a 200 is delivered after a restart.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { downSinkYaml, startForwarder, writeConfig, type Forwarder } from '../support/start-forwarder.ts';
import { eventually, zoomSignature } from '../support/signed-request.ts';

const SECRET = 'durability-secret';

function delivered(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{') && l.endsWith('}'))
    .map((l) => (JSON.parse(l) as { body: string }).body);
}

/** 16 concurrent signed senders; SIGKILL as soon as `ackTarget` events were acknowledged, with requests still in flight. */
async function loadThenKill(fwd: Forwarder, ackTarget: number): Promise<{ acked: string[]; refused: number }> {
  const dispatcher = new Agent({ connections: 16 });
  const acked: string[] = [];
  let refused = 0;
  let n = 0;
  let killed = false;
  const sendOne = async (): Promise<void> => {
    const body = JSON.stringify({ event: 'meeting.participant_qos', event_ts: Date.now(), payload: { account_id: 'a', object: { uuid: `m${n % 7}==`, participant: { user_id: String(n), seq: n++, qos: [] } } } });
    const ts = String(Math.floor(Date.now() / 1000));
    try {
      const res = await fetch(`${fwd.url}/webhooks/zoom`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, body) },
        // @ts-expect-error undici dispatcher option of Node's fetch
        dispatcher,
      });
      if (res.status === 200) acked.push(body);
      else refused++;
      await res.arrayBuffer();
    } catch {
      refused++; // connection cut by the kill: never acknowledged, Zoom would retry
    }
  };
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (!killed) {
        await sendOne();
        if (acked.length >= ackTarget && !killed) {
          killed = true;
          fwd.child.kill('SIGKILL');
        }
      }
    }),
  );
  await fwd.stop('SIGKILL');
  await dispatcher.close();
  return { acked, refused };
}

async function expectAllDelivered(eventsFile: string, acked: string[]): Promise<{ total: number; duplicates: number }> {
  const bodies = await eventually(() => {
    const d = delivered(eventsFile);
    const set = new Set(d);
    return acked.every((b) => set.has(b)) ? d : undefined;
  }, 20000);
  expect(acked.every((b) => bodies.includes(b))).to.equal(true);
  return { total: bodies.length, duplicates: bodies.length - new Set(bodies).size };
}

describe('durability: SIGKILL after acks (real serve process)', function () {
  this.timeout(60000);

  it('delivers every acknowledged event after a restart (duplicates allowed, counted)', async () => {
    const files = writeConfig();
    const { acked, refused } = await loadThenKill(await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }), 400);
    const before = delivered(files.eventsFile).length;
    const again = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    try {
      const { total, duplicates } = await expectAllDelivered(files.eventsFile, acked);
      console.log(`      acked ${acked.length}, refused/cut ${refused}, in the sink before restart ${before}, after ${total}, duplicates ${duplicates}`);
      expect(acked.length).to.be.at.least(400);
    } finally {
      await again.stop();
    }
  });

  it('events acked while the sink was down come back from the store after the kill', async () => {
    const files = writeConfig();
    const down = writeConfig({ dir: files.dir, sinksYaml: await downSinkYaml('events_file') }); // the same sink name, its backend unreachable: retried
    const { acked } = await loadThenKill(await startForwarder(down, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }), 300);
    expect(delivered(files.eventsFile)).to.have.length(0);
    writeConfig({ dir: files.dir }); // the sink is back
    const again = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    try {
      const { total, duplicates } = await expectAllDelivered(files.eventsFile, acked);
      console.log(`      acked ${acked.length} while the sink was down; delivered after restart ${total}, duplicates ${duplicates}`);
      expect(duplicates).to.equal(0);
    } finally {
      await again.stop();
    }
  });
});
