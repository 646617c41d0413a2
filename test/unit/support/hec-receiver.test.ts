// Self-test of the Splunk HEC conformance receiver (test/support/receivers/hec-receiver.ts): requests
// are built by hand from sink-protocols.md §1 and sent with node:http over 127.0.0.1.
import { expect } from 'chai';
import { request, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startHecReceiver, type HecReceiver } from '../../support/receivers/hec-receiver.ts';

const TOKEN = '11111111-2222-3333-4444-555555555555';
const ACK_TOKEN = '66666666-7777-8888-9999-000000000000';
const CHANNEL = '0f8fad5b-d9cb-469f-a165-70867728950e';
const EVENT_PATH = '/services/collector/event';

interface Reply {
  status: number;
  json: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

const events = (...objects: object[]): string => objects.map((o) => JSON.stringify(o)).join('\n');

describe('hec-receiver (Splunk HEC conformance receiver)', () => {
  let hec: HecReceiver;

  function send(path: string, body: string | Buffer, headers: Record<string, string> = { authorization: `Splunk ${TOKEN}` }, method = 'POST'): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request(`${hec.url}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const ackHeaders = (channel = CHANNEL) => ({ authorization: `Splunk ${ACK_TOKEN}`, 'x-splunk-request-channel': channel });

  beforeEach(async () => {
    hec = await startHecReceiver({ tokens: { [TOKEN]: { indexes: ['qos', 'qos_metrics'] }, [ACK_TOKEN]: { ack: true } }, ackAfterPolls: 2, maxContentLength: 4096 });
  });
  afterEach(() => hec.close());

  describe('endpoints', () => {
    it('answers health on GET with 200 code 17 as JSON', async () => {
      const reply = await send('/services/collector/health', '', {}, 'GET');
      expect([reply.status, reply.json, reply.headers['content-type']]).to.deep.equal([200, { text: 'HEC is healthy', code: 17 }, 'application/json']);
      expect(hec.problems).to.deep.equal([]);
    });
    it('answers 404 for an unknown path and 400 for GET on the event path, both as problems', async () => {
      expect((await send('/services/collector/nope', '{"event":1}')).status).to.equal(404);
      expect((await send(EVENT_PATH, '', {}, 'GET')).status).to.equal(400);
      expect(hec.problems).to.have.length(2);
    });
  });

  describe('valid batches', () => {
    it('decodes concatenated plain-JSON events on every event path', async () => {
      const batch = events({ time: 1700000000.5, host: 'h1', sourcetype: 'zoom:qos', index: 'qos', event: { id: 1 }, fields: { app: 'a', tags: ['x', 1] } }, { event: 'two' });
      for (const path of ['/services/collector', EVENT_PATH, '/services/collector/event/1.0']) {
        const reply = await send(path, batch);
        expect([reply.status, reply.json, reply.headers['content-type']]).to.deep.equal([200, { text: 'Success', code: 0 }, 'application/json']);
      }
      expect(hec.events).to.have.length(6);
      expect(hec.events[0]).to.deep.equal({ time: 1700000000.5, host: 'h1', sourcetype: 'zoom:qos', index: 'qos', event: { id: 1 }, fields: { app: 'a', tags: ['x', 1] } });
      expect(hec.events[1]).to.deep.equal({ event: 'two' });
      expect(hec.requests[0]).to.deep.include({ path: '/services/collector', status: 200, code: 0, token: TOKEN, events: 2, problems: [] });
      expect(hec.problems).to.deep.equal([]);
    });
    it('decompresses gzip and expands multi- and single-metric events into measurements', async () => {
      const multi = { time: 1700000001, event: 'metric', index: 'qos_metrics', fields: { 'metric_name:zoom.audio.jitter': 12.5, 'metric_name:zoom.audio.loss': 0, meeting: 'm1' } };
      const single = { time: '1700000002.250', event: 'metric', fields: { metric_name: 'zoom.video.fps', _value: 30, region: ['eu', 'us'] } };
      const body = gzipSync(events(multi, single));
      const reply = await send(EVENT_PATH, body, { authorization: `Splunk ${TOKEN}`, 'content-encoding': 'gzip', 'content-type': 'application/json' });
      expect(reply.status).to.equal(200);
      expect(hec.measurements.map(({ name, value, time, dimensions }) => ({ name, value, time, dimensions }))).to.deep.equal([
        { name: 'zoom.audio.jitter', value: 12.5, time: 1700000001, dimensions: { meeting: 'm1' } },
        { name: 'zoom.audio.loss', value: 0, time: 1700000001, dimensions: { meeting: 'm1' } },
        { name: 'zoom.video.fps', value: 30, time: 1700000002.25, dimensions: { region: ['eu', 'us'] } },
      ]);
      expect(hec.measurements[2]?.envelope.time).to.equal(1700000002.25);
      expect(hec.requests[0]).to.deep.include({ contentEncoding: 'gzip', bytes: body.length, events: 2 });
      expect(hec.problems).to.deep.equal([]);
    });
  });

  describe('authentication', () => {
    const cases: [string, Record<string, string>, string, number, number][] = [
      ['no Authorization header', {}, '', 401, 2],
      ['a Basic Authorization header', { authorization: 'Basic dXNlcjpwYXNz' }, '', 401, 3],
      ['an unknown token', { authorization: 'Splunk not-a-token' }, '', 403, 4],
      ['a known token in ?token=', {}, `?token=${TOKEN}`, 400, 16],
    ];
    for (const [what, headers, query, status, code] of cases) {
      it(`answers ${status}/${code} for ${what}`, async () => {
        const reply = await send(`${EVENT_PATH}${query}`, '{"event":1}', headers);
        expect([reply.status, reply.json.code]).to.deep.equal([status, code]);
        expect(hec.events).to.deep.equal([]);
        expect(hec.problems).to.have.length(1);
      });
    }
  });

  describe('body and envelope checks', () => {
    const refused: [string, string, number, number, number?][] = [
      ['a JSON array body', '[{"event":1}]', 400, 6, 0],
      ['garbage after a good event', '{"event":1} nonsense', 400, 6, 1],
      ['an empty body', '', 400, 5],
      ['a missing event', events({ event: 1 }, { fields: { a: 'b' } }), 400, 12, 1],
      ['a blank event', events({ event: 1 }, { event: 2 }, { event: '' }), 400, 13, 2],
      ['a null event', events({ event: null }), 400, 13, 0],
      ['nested fields', events({ event: 1, fields: { a: 'b' } }, { event: 2, fields: { a: { b: 1 } } }), 400, 15, 1],
      ['an index not allowed for the token', events({ event: 1, index: 'main' }), 400, 7, 0],
      ['a non-numeric time', events({ event: 1, time: 'yesterday' }), 400, 6, 0],
      ['a metric value sent as a string', events({ event: 'metric', fields: { 'metric_name:cpu': '3' } }), 400, 6, 0],
      ['a metric name starting with a digit', events({ event: 'metric', fields: { 'metric_name:9cpu': 3 } }), 400, 6, 0],
      ['a metric event with no metric', events({ event: 'metric', fields: { host: 'h' } }), 400, 6, 0],
    ];
    for (const [what, body, status, code, eventNumber] of refused) {
      it(`answers ${status}/${code} for ${what} and accepts nothing`, async () => {
        const reply = await send(EVENT_PATH, body);
        const expected = { text: reply.json.text, code, ...(eventNumber === undefined ? {} : { 'invalid-event-number': eventNumber }) };
        expect([reply.status, reply.json]).to.deep.equal([status, expected]);
        expect([hec.events, hec.measurements]).to.deep.equal([[], []]);
        expect(hec.problems).to.have.length(1);
        expect(hec.requests[0]?.problems).to.deep.equal(hec.problems);
      });
    }
    it('answers 415 for an unsupported Content-Encoding', async () => {
      const reply = await send(EVENT_PATH, '{"event":1}', { authorization: `Splunk ${TOKEN}`, 'content-encoding': 'deflate' });
      expect(reply.status).to.equal(415);
      expect(hec.problems).to.have.length(1);
    });
    it('answers 413 when the decompressed body is over maxContentLength', async () => {
      const body = gzipSync(events({ event: 'x'.repeat(5000) }));
      const reply = await send(EVENT_PATH, body, { authorization: `Splunk ${TOKEN}`, 'content-encoding': 'gzip' });
      expect(reply.status).to.equal(413);
      expect(hec.events).to.deep.equal([]);
    });
    it('flags a time in milliseconds but still accepts the event', async () => {
      const reply = await send(EVENT_PATH, events({ event: 1, time: 1700000000123 }));
      expect(reply.status).to.equal(200);
      expect(hec.events).to.have.length(1);
      expect(hec.problems).to.have.length(1);
      expect(hec.problems[0]).to.contain('looks like milliseconds');
    });
  });

  describe('fault injection', () => {
    it('rejectEvents answers 400/6 with the first matching event number and keeps nothing', async () => {
      hec.rejectEvents((env) => env.event === 'bad');
      const reply = await send(EVENT_PATH, events({ event: 'ok' }, { event: 'bad' }, { event: 'bad' }));
      expect([reply.status, reply.json]).to.deep.equal([400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 1 }]);
      expect([hec.events, hec.problems]).to.deep.equal([[], []]);
    });
    it('a scripted 503 with Retry-After is not accepted; the next request is', async () => {
      hec.script({ status: 503, headers: { 'Retry-After': '7' } });
      const busy = await send(EVENT_PATH, events({ event: 1 }));
      expect([busy.status, busy.json, busy.headers['retry-after']]).to.deep.equal([503, { text: 'Server is busy', code: 9 }, '7']);
      expect(hec.events).to.deep.equal([]);
      expect((await send(EVENT_PATH, events({ event: 1 }))).status).to.equal(200);
      expect(hec.events).to.deep.equal([{ event: 1 }]);
      expect(hec.requests.map((r) => [r.status, r.code])).to.deep.equal([[503, 9], [200, 0]]);
      expect(hec.problems).to.deep.equal([]);
    });
    it('a scripted destroy resets the connection; a scripted delay answers late', async () => {
      hec.script({ status: 500, destroy: true }, { status: 200, delayMs: 50 });
      let error: unknown;
      await send(EVENT_PATH, events({ event: 1 })).catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(Error);
      const started = Date.now();
      expect((await send(EVENT_PATH, events({ event: 2 }))).status).to.equal(200);
      expect(Date.now() - started).to.be.at.least(45);
      expect(hec.events).to.deep.equal([{ event: 2 }]);
      expect(hec.requests[0]?.status).to.equal(0);
    });
  });

  describe('indexer acknowledgement', () => {
    it('requires a GUID channel for an ack token', async () => {
      const missing = await send(EVENT_PATH, '{"event":1}', { authorization: `Splunk ${ACK_TOKEN}` });
      const bad = await send(EVENT_PATH, '{"event":1}', ackHeaders('not-a-guid'));
      expect([missing.status, missing.json.code, bad.status, bad.json.code]).to.deep.equal([400, 10, 400, 11]);
      expect(hec.problems).to.have.length(2);
    });
    it('hands out ackIds per channel and reports them true after ackAfterPolls polls', async () => {
      const first = await send(EVENT_PATH, events({ event: 1 }), ackHeaders());
      const second = await send(`${EVENT_PATH}?channel=${CHANNEL}`, events({ event: 2 }), { authorization: `Splunk ${ACK_TOKEN}` });
      expect([first.json, second.json]).to.deep.equal([{ text: 'Success', code: 0, ackId: 0 }, { text: 'Success', code: 0, ackId: 1 }]);
      expect(hec.events).to.have.length(2);
      const poll = async (ids: number[]) => (await send('/services/collector/ack', JSON.stringify({ acks: ids }), ackHeaders())).json;
      expect(await poll([0])).to.deep.equal({ acks: { 0: false } });
      expect(await poll([0, 1])).to.deep.equal({ acks: { 0: false, 1: false } });
      expect(await poll([0, 1])).to.deep.equal({ acks: { 0: true, 1: false } });
      expect([...hec.acked]).to.deep.equal([0]);
      expect(await poll([1])).to.deep.equal({ acks: { 1: true } });
      expect([...hec.acked]).to.deep.equal([0, 1]);
      expect(hec.problems).to.deep.equal([]);
    });
    it('answers 400/14 to an ack query with a token that has ack off', async () => {
      const reply = await send('/services/collector/ack', '{"acks":[0]}', { authorization: `Splunk ${TOKEN}`, 'x-splunk-request-channel': CHANNEL });
      expect([reply.status, reply.json]).to.deep.equal([400, { text: 'ACK is disabled', code: 14 }]);
    });
    it('flags a poll for an ackId that was never issued', async () => {
      expect((await send('/services/collector/ack', '{"acks":[5]}', ackHeaders())).json).to.deep.equal({ acks: { 5: false } });
      expect(hec.problems).to.have.length(1);
    });
  });
});
