// Every Zoom example body goes in signed and comes out of the file sink byte-identical.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../support/start-forwarder.ts';
import { eventually, postSigned } from '../support/signed-request.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/zoom');
const SECRET = 'roundtrip-secret';

describe('Zoom examples round trip (real serve process → file sink)', function () {
  this.timeout(30000);
  let files: ForwarderFiles;
  let fwd: Forwarder;
  before(async () => {
    files = writeConfig();
    fwd = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
  });
  after(async () => {
    await fwd?.stop();
  });

  const examples = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && f !== 'endpoint.url_validation.json');

  it('has all 14 QSS examples', () => expect(examples).to.have.length(14));

  it('stores each one byte-for-byte with its metadata', async () => {
    const sent = new Map<string, Buffer>();
    for (const file of examples) {
      const bytes = readFileSync(join(FIXTURES, file)); // pretty-printed, with a trailing newline: kept as is
      const res = await postSigned(`${fwd.url}/webhooks/zoom`, bytes, { secret: SECRET, headers: { 'x-zm-request-id': file } });
      expect(res.status, file).to.equal(200);
      sent.set(file, bytes);
    }
    const records = await eventually(() => {
      if (!existsSync(files.eventsFile)) return undefined;
      const recs = readFileSync(files.eventsFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { request_id: string; body: string; event: string; account_id: string; app: string });
      return recs.length === examples.length ? recs : undefined;
    });
    for (const rec of records) {
      const original = sent.get(rec.request_id)!;
      expect(Buffer.from(rec.body, 'utf8').equals(original), rec.request_id).to.equal(true);
      const parsed = JSON.parse(original.toString()) as { event: string; payload: { account_id: string } };
      expect([rec.event, rec.account_id, rec.app]).to.deep.equal([parsed.event, parsed.payload.account_id, 'default']);
    }
  });

  it('the CRC example is answered and never stored', async () => {
    const res = await postSigned(`${fwd.url}/webhooks/zoom`, readFileSync(join(FIXTURES, 'endpoint.url_validation.json')), { secret: SECRET });
    expect(res.status).to.equal(200);
    expect(res.json.plainToken).to.equal('qgg8vlvZRS6UYooatFL8Aw');
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(files.eventsFile, 'utf8')).to.not.include('endpoint.url_validation');
  });
});
