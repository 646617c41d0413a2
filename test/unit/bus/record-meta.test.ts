import { expect } from 'chai';
import type { BusRecordMeta } from '../../../src/bus/bus.ts';
import { messageToBusRecord, metaToHeaders } from '../../../src/bus/kafka/kafka-record.ts';
import {
  DEAD_LETTER_COLUMNS,
  deadLetterValues,
  EVENT_COLUMNS,
  eventValues,
  kafkaHeadersToMeta,
  metaToJson,
  pickZoomHeaderMeta,
  rowToMeta,
  zoomHeaderMeta,
} from '../../../src/bus/record-meta.ts';
import { sinkEventToJsonLine } from '../../../src/sinks/sink-batch-to-json-lines.ts';

const FULL: BusRecordMeta = {
  receivedAt: 1_760_000_000_123,
  app: 'default',
  event: 'meeting.participant_qos',
  accountId: 'acc',
  instanceKey: 'uuid==',
  requestId: 'req-1',
  trackingId: 'trk-1',
  targetSink: 'file',
};
const BARE: BusRecordMeta = { receivedAt: 7, app: 'a', event: 'e' };
const body = Buffer.from('{"event":"e"}');

describe('record meta: one table, every representation (as version 1 wrote them)', () => {
  it('SQL: the columns of events and dead_letters, and values in their order (absent fields NULL)', () => {
    expect(EVENT_COLUMNS).to.equal('received_at, app, event, account_id, instance_key, request_id, tracking_id, body, target_sink');
    expect(DEAD_LETTER_COLUMNS).to.equal('received_at, app, event, account_id, instance_key, request_id, tracking_id, body');
    expect(eventValues(FULL, body)).to.deep.equal([FULL.receivedAt, 'default', 'meeting.participant_qos', 'acc', 'uuid==', 'req-1', 'trk-1', body, 'file']);
    expect(deadLetterValues(BARE, body)).to.deep.equal([7, 'a', 'e', null, null, null, null, body]);
  });

  it('SQL: a row back to metadata, NULL read as absent', () => {
    const row = { seq: 3, received_at: 7, app: 'a', event: 'e', account_id: null, instance_key: 'k', request_id: null, tracking_id: null, body, target_sink: null };
    expect(rowToMeta(row)).to.deep.equal({ receivedAt: 7, app: 'a', event: 'e', accountId: undefined, instanceKey: 'k', requestId: undefined, trackingId: undefined, targetSink: undefined });
  });

  it('Kafka: the same header names in the same order; the instance key is the message key, not a header', () => {
    expect(Object.entries(metaToHeaders(FULL))).to.deep.equal([
      ['qss-schema', '1'],
      ['qss-event', 'meeting.participant_qos'],
      ['qss-app', 'default'],
      ['qss-received-at', String(FULL.receivedAt)],
      ['qss-account-id', 'acc'],
      ['qss-zm-request-id', 'req-1'],
      ['qss-zm-trackingid', 'trk-1'],
      ['qss-target-sink', 'file'],
    ]);
    expect(Object.keys(metaToHeaders(BARE))).to.deep.equal(['qss-schema', 'qss-event', 'qss-app', 'qss-received-at']);
  });

  it('Kafka: headers and key back to the same metadata; a missing required header or a received-at that is no number is no record', () => {
    const headers = metaToHeaders(FULL);
    const decoded = messageToBusRecord('t', 2, { key: Buffer.from('uuid=='), value: body, headers, offset: '9' });
    expect(decoded).to.deep.equal({ ok: true, record: { id: 't/2/9', body, meta: FULL } });
    const without = (name: string) => (n: string) => (n === name ? undefined : headers[n]);
    expect(kafkaHeadersToMeta(without('qss-app'), undefined)).to.equal(undefined);
    expect(kafkaHeadersToMeta(without('qss-account-id'), undefined)).to.include({ accountId: undefined, instanceKey: undefined, app: 'default' });
    expect(kafkaHeadersToMeta((n) => (n === 'qss-received-at' ? 'soon' : headers[n]), undefined)).to.equal(undefined);
    expect(messageToBusRecord('t', 0, { key: null, value: body, headers: { ...headers, 'qss-event': undefined }, offset: '1' })).to.deep.equal({ ok: false, reason: 'undecodable:missing_headers' });
  });

  it('JSON Lines: the same keys in the same order, times as ISO 8601, absent fields null, no target sink', () => {
    expect(metaToJson(BARE)).to.deep.equal({ received_at: '1970-01-01T00:00:00.007Z', app: 'a', event: 'e', account_id: null, instance_key: null, request_id: null, tracking_id: null });
    const line = sinkEventToJsonLine({ record: { id: '5', body, meta: FULL }, body: '{"event":"e"}', pii_changed: 0 });
    expect(line).to.equal(
      '{"id":"5","received_at":"2025-10-09T08:53:20.123Z","app":"default","event":"meeting.participant_qos","account_id":"acc","instance_key":"uuid==",' +
        '"request_id":"req-1","tracking_id":"trk-1","body":"{\\"event\\":\\"e\\"}"}\n',
    );
  });

  it('ingress: requestId and trackingId come from x-zm-request-id and x-zm-trackingid', () => {
    const seen: string[] = [];
    const filled = zoomHeaderMeta((name) => (seen.push(name), name === 'x-zm-request-id' ? 'r' : undefined));
    expect(seen).to.deep.equal(['x-zm-request-id', 'x-zm-trackingid']);
    expect(filled).to.deep.equal({ requestId: 'r', trackingId: undefined });
    expect(pickZoomHeaderMeta({ ...filled, app: 'x' } as ReturnType<typeof zoomHeaderMeta>)).to.deep.equal({ requestId: 'r', trackingId: undefined });
  });
});
