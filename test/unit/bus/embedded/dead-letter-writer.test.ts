import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeadLetterWriter } from '../../../../src/bus/embedded/dead-letter-writer.ts';
import { openEmbeddedStore } from '../../../../src/bus/embedded/open-embedded-store.ts';
import { replayEmbeddedDeadLetters } from '../../../../src/bus/embedded/replay-embedded-dead-letters.ts';

describe('dead-letter writer', () => {
  it('keeps every record column, the body, its position and who gave up when and why; not the target sink; replay puts it back whole', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qssf-dl-')), 'bus.sqlite');
    const opened = openEmbeddedStore({ path, setting: 'bus.embedded.path', owner: 'test', walLimitBytes: 1 << 20 });
    if (!opened.ok) throw new Error(opened.problem.message);
    const { db, lock } = opened;
    const write = createDeadLetterWriter(db, () => 5555);
    const meta = { receivedAt: 1234, app: 'app1', event: 'meeting.participant_qos', accountId: 'acc', instanceKey: 'uuid', requestId: 'req', trackingId: 'trk', targetSink: 'file' };
    await write({ id: '77', body: Buffer.from('{"a":1}'), meta }, { consumer: 'splunk', reason: 'http_400', attempts: 3 });
    const row = db.prepare('SELECT * FROM dead_letters').get() as Record<string, unknown>;
    expect({ ...row, body: String(row.body) }).to.deep.equal({
      id: 1,
      consumer: 'splunk',
      reason: 'http_400',
      attempts: 3,
      dead_at: 5555,
      seq: 77,
      received_at: 1234,
      app: 'app1',
      event: 'meeting.participant_qos',
      account_id: 'acc',
      instance_key: 'uuid',
      request_id: 'req',
      tracking_id: 'trk',
      body: '{"a":1}',
    });
    db.close();
    lock.release();
    expect(replayEmbeddedDeadLetters(path, {}).replayed).to.equal(1);
    const reopened = openEmbeddedStore({ path, setting: 'bus.embedded.path', owner: 'test', walLimitBytes: 1 << 20 });
    if (!reopened.ok) throw new Error(reopened.problem.message);
    const back = reopened.db.prepare('SELECT received_at, app, event, account_id, instance_key, request_id, tracking_id, CAST(body AS TEXT) AS body, target_sink FROM events').get();
    expect(back).to.deep.equal({ received_at: 1234, app: 'app1', event: 'meeting.participant_qos', account_id: 'acc', instance_key: 'uuid', request_id: 'req', tracking_id: 'trk', body: '{"a":1}', target_sink: 'splunk' });
    reopened.db.close();
    reopened.lock.release();
  });
});
