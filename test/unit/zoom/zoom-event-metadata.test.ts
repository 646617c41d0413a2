import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseZoomBody } from '../../../src/zoom/zoom-event-metadata.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/zoom');

describe('zoom-event-metadata', () => {
  describe('parseZoomBody', () => {
    const bad: [string, string][] = [
      ['not JSON', 'invalid_json'],
      ['', 'invalid_json'],
      ['[1,2]', 'not_an_object'],
      ['"event"', 'not_an_object'],
      ['null', 'not_an_object'],
      ['{}', 'missing_event'],
      ['{"event":42}', 'missing_event'],
      ['{"event":""}', 'missing_event'],
    ];
    for (const [text, reason] of bad) {
      it(`${JSON.stringify(text)} → ${reason}`, () => expect(parseZoomBody(text)).to.deep.equal({ ok: false, reason }));
    }
    it('accepts an event type it has never heard of', () => {
      const r = parseZoomBody('{"event":"meeting.brand_new_thing","payload":{"account_id":"acc","object":{"uuid":"u1"}}}');
      expect(r.ok && r.meta).to.deep.equal({ event: 'meeting.brand_new_thing', accountId: 'acc', instanceKey: 'u1', eventTs: undefined });
    });
  });

  describe('instance keys of every example', () => {
    const expected: Record<string, string> = {
      'meeting.participant_qos': 'uuid',
      'meeting.participant_qos_summary': 'uuid',
      'meeting.participant_data': 'uuid',
      'meeting.participant_data_summary': 'uuid',
      'webinar.participant_qos': 'uuid',
      'webinar.participant_qos_summary': 'uuid',
      'webinar.participant_data': 'uuid',
      'webinar.participant_data_summary': 'uuid',
      'session.user_qos': 'session_id',
      'session.user_qos_summary': 'session_id',
      'session.user_data': 'session_id',
      'session.user_data_summary': 'session_id',
      'phone.call_qos': 'call_id',
      'phone.call_qos_summary': 'call_id',
    };
    const files = readdirSync(FIXTURES).filter((f) => f !== 'endpoint.url_validation.json');
    it('covers all 14 QSS event types', () => expect(files.map((f) => f.replace(/\.json$/, '')).sort()).to.deep.equal(Object.keys(expected).sort()));
    for (const file of files) {
      it(`${file}: event, account and instance`, () => {
        const text = readFileSync(join(FIXTURES, file), 'utf8');
        const body = JSON.parse(text) as { event: string; payload: { account_id: string; object: Record<string, string> } };
        const r = parseZoomBody(text);
        expect(r.ok).to.equal(true);
        if (!r.ok) return;
        expect(r.meta.event).to.equal(body.event);
        expect(r.meta.accountId).to.equal(body.payload.account_id);
        expect(r.meta.instanceKey).to.equal(body.payload.object[expected[body.event]!]);
      });
    }
  });
});
