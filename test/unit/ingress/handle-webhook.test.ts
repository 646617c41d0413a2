import { expect } from 'chai';
import type { Bus, PublishOutcome, PublishRequest } from '../../../src/bus/bus.ts';
import { createWebhookHandler, type WebhookRequest } from '../../../src/ingress/handle-webhook.ts';
import { createReplayCache } from '../../../src/ingress/replay-cache.ts';
import { zoomSignature } from '../../support/signed-request.ts';

const SECRET = 'unit-secret';
const NOW_MS = 1_760_000_000_000;

/** A bus whose publishes are settled by the test, one at a time. */
function manualBus() {
  const published: PublishRequest[] = [];
  const pending: ((o: PublishOutcome) => void)[] = [];
  const bus = { publish: (r: PublishRequest) => new Promise<PublishOutcome>((resolve) => (published.push(r), pending.push(resolve))) } as unknown as Bus;
  return { bus, published, settle: (o: PublishOutcome) => pending.shift()!(o) };
}

describe('createWebhookHandler: exact replays', () => {
  const setup = () => {
    const { bus, published, settle } = manualBus();
    const handle = createWebhookHandler({ bus, maxClockSkewSeconds: 300, now: () => NOW_MS });
    const replays = createReplayCache({ maxEntries: 100, nowSeconds: () => NOW_MS / 1000, onSize: () => undefined, onEvict: () => undefined });
    const request = (body: string, app = 'default'): WebhookRequest => {
      const ts = String(NOW_MS / 1000);
      return { app, secrets: [SECRET], replays, rawBody: Buffer.from(body), signature: zoomSignature(SECRET, ts, body), timestamp: ts, requestId: undefined, trackingId: undefined };
    };
    const flush = () => new Promise((r) => setImmediate(r));
    return { handle, request, published, settle, flush };
  };
  const body = '{"event":"meeting.participant_qos","payload":{"n":1}}';

  it('stores an accepted event once and answers its exact replay "duplicate" without publishing it', async () => {
    const { handle, request, published, settle, flush } = setup();
    const first = handle(request(body));
    await flush();
    settle({ ok: true, id: '1' });
    expect(await first).to.deep.equal({ kind: 'accepted', id: '1' });
    expect(await handle(request(body))).to.deep.equal({ kind: 'duplicate' });
    expect(published).to.have.length(1);
  });

  it('a copy arriving while the first is being stored gets its answer, and is not stored', async () => {
    const { handle, request, published, settle, flush } = setup();
    const first = handle(request(body));
    const copy = handle(request(body));
    await flush();
    expect(published).to.have.length(1);
    settle({ ok: true, id: '1' });
    expect([await first, await copy]).to.deep.equal([{ kind: 'accepted', id: '1' }, { kind: 'duplicate' }]);
  });

  it('a copy of an event the bus refused (503) is stored when it comes again', async () => {
    const { handle, request, published, settle, flush } = setup();
    const first = handle(request(body));
    const copy = handle(request(body));
    await flush();
    settle({ ok: false, reason: 'full' });
    const refused = { kind: 'rejected', code: 'ZQ_ERR_BUS_FULL' };
    expect([await first, await copy]).to.deep.equal([refused, refused]);
    const retry = handle(request(body));
    await flush();
    settle({ ok: true, id: '2' });
    expect(await retry).to.deep.equal({ kind: 'accepted', id: '2' });
    expect(published).to.have.length(2);
  });

  it('the same body with another timestamp (a new signature) is a new event', async () => {
    const { handle, request, published, settle, flush } = setup();
    const first = handle(request(body));
    await flush();
    settle({ ok: true, id: '1' });
    await first;
    const later = request(body);
    later.timestamp = String(NOW_MS / 1000 + 1);
    later.signature = zoomSignature(SECRET, later.timestamp, body);
    const second = handle(later);
    await flush();
    settle({ ok: true, id: '2' });
    expect(await second).to.deep.equal({ kind: 'accepted', id: '2' });
    expect(published).to.have.length(2);
  });

  it('never remembers a CRC, nor a request that fails verification', async () => {
    const { handle, request, published } = setup();
    const crc = '{"event":"endpoint.url_validation","payload":{"plainToken":"abc"}}';
    expect((await handle(request(crc))).kind).to.equal('crc');
    expect((await handle(request(crc))).kind).to.equal('crc');
    const forged = { ...request(body), signature: `v0=${'0'.repeat(64)}` };
    expect(await handle(forged)).to.deep.equal({ kind: 'rejected', code: 'ZQ_ERR_INGRESS_BAD_SIGNATURE' });
    expect(await handle(forged)).to.deep.equal({ kind: 'rejected', code: 'ZQ_ERR_INGRESS_BAD_SIGNATURE' });
    expect(published).to.have.length(0);
  });
});
