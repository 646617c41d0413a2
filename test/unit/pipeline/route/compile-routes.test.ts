import { expect } from 'chai';
import { compileRoutes, compileGlob, readField, type RouteSubject } from '../../../../src/pipeline/route/compile-routes.ts';
import type { RouteConfig } from '../../../../src/pipeline/route/routes-config.ts';

const body = {
  event: 'meeting.participant_qos',
  payload: { account_id: 'acc-1', object: { id: 123, uuid: '//a+b==', participant: { user_name: 'Jill', data_center: 'SC', qos: [{ type: 'audio_input' }] } } },
};

function subject(over: Partial<RouteSubject> = {}): RouteSubject & { parses: number } {
  const s: RouteSubject & { parses: number } = { event: 'meeting.participant_qos', accountId: 'acc-1', app: 'default', parses: 0, body: (): unknown => (s.parses++, body), ...over };
  return s;
}

const matching = (routes: RouteConfig[], s: RouteSubject): string[] => compileRoutes(routes, ['a', 'b']).filter((r) => r.matches(s)).map((r) => r.name);

describe('compileRoutes', () => {
  it('without routes: one route sends everything to every sink', () => {
    const [all, ...rest] = compileRoutes(undefined, ['a', 'b']);
    expect(rest).to.have.length(0);
    expect(all?.sinks).to.deep.equal(['a', 'b']);
    expect(all?.matches(subject({ event: 'anything.else' }))).to.equal(true);
  });

  const cases: [string, RouteConfig, Partial<RouteSubject>, boolean][] = [
    ['exact event', { events: ['meeting.participant_qos'], sinks: ['a'] }, {}, true],
    ['other event', { events: ['meeting.participant_data'], sinks: ['a'] }, {}, false],
    ['glob family', { events: ['meeting.*'], sinks: ['a'] }, {}, true],
    ['glob suffix', { events: ['*.participant_qos'], sinks: ['a'] }, { event: 'webinar.participant_qos' }, true],
    ['glob does not match a longer name', { events: ['*.participant_qos'], sinks: ['a'] }, { event: 'webinar.participant_qos_summary' }, false],
    ['glob ? is one character', { events: ['phone.call_qo?'], sinks: ['a'] }, { event: 'phone.call_qos' }, true],
    ['dot in a pattern is literal', { events: ['meeting.participant_qos'], sinks: ['a'] }, { event: 'meetingXparticipant_qos' }, false],
    ['account listed', { accounts: ['acc-1', 'acc-2'], sinks: ['a'] }, {}, true],
    ['account not listed', { accounts: ['acc-2'], sinks: ['a'] }, {}, false],
    ['no account on the record', { accounts: ['acc-1'], sinks: ['a'] }, { accountId: undefined }, false],
    ['app listed', { apps: ['default'], sinks: ['a'] }, {}, true],
    ['app not listed', { apps: ['other'], sinks: ['a'] }, {}, false],
    ['equals string', { where: [{ field: 'payload.object.participant.data_center', equals: 'SC' }], sinks: ['a'] }, {}, true],
    ['equals number vs JSON number', { where: [{ field: 'payload.object.id', equals: 123 }], sinks: ['a'] }, {}, true],
    ['equals text vs JSON number', { where: [{ field: 'payload.object.id', equals: '123' }], sinks: ['a'] }, {}, true],
    ['equals mismatch', { where: [{ field: 'payload.object.participant.data_center', equals: 'NY' }], sinks: ['a'] }, {}, false],
    ['in', { where: [{ field: 'payload.object.participant.data_center', in: ['NY', 'SC'] }], sinks: ['a'] }, {}, true],
    ['matches (unanchored regex)', { where: [{ field: 'payload.object.uuid', matches: '\\+b=' }], sinks: ['a'] }, {}, true],
    ['matches on a missing field', { where: [{ field: 'payload.nope', matches: '.*' }], sinks: ['a'] }, {}, false],
    ['exists true', { where: [{ field: 'payload.object.participant.user_name', exists: true }], sinks: ['a'] }, {}, true],
    ['exists false on a missing field', { where: [{ field: 'payload.object.participant.email', exists: false }], sinks: ['a'] }, {}, true],
    ['array index', { where: [{ field: 'payload.object.participant.qos.0.type', equals: 'audio_input' }], sinks: ['a'] }, {}, true],
    ['all conditions must hold', { events: ['meeting.*'], apps: ['other'], sinks: ['a'] }, {}, false],
    ['an object field never equals text', { where: [{ field: 'payload.object', equals: '[object Object]' }], sinks: ['a'] }, {}, false],
  ];
  for (const [name, route, over, expected] of cases) {
    it(`${name} → ${expected ? 'matches' : 'does not match'}`, () => {
      expect(matching([route], subject(over))).to.deep.equal(expected ? ['route-1'] : []);
    });
  }

  it('parses the body only for routes with field tests, and only when the cheap tests passed', () => {
    const s = subject();
    compileRoutes([{ events: ['meeting.*'], sinks: ['a'] }], ['a'])[0]?.matches(s);
    expect(s.parses).to.equal(0);
    compileRoutes([{ events: ['phone.*'], where: [{ field: 'event', exists: true }], sinks: ['a'] }], ['a'])[0]?.matches(s);
    expect(s.parses).to.equal(0);
    compileRoutes([{ where: [{ field: 'event', exists: true }], sinks: ['a'] }], ['a'])[0]?.matches(s);
    expect(s.parses).to.equal(1);
  });

  it('an undecodable body matches no field test', () => {
    expect(matching([{ where: [{ field: 'event', exists: false }], sinks: ['a'] }], subject({ body: () => undefined }))).to.deep.equal([]);
  });

  it('names routes route-<n> unless named', () => {
    expect(compileRoutes([{ sinks: ['a'] }, { name: 'qos', sinks: ['b'] }], ['a', 'b']).map((r) => r.name)).to.deep.equal(['route-1', 'qos']);
  });

  it('readField never reads inherited properties', () => {
    expect(readField({}, ['constructor'])).to.equal(undefined);
    expect(readField({ a: [1, 2] }, ['a', 'length'])).to.equal(undefined);
  });

  // A backtracking engine (JavaScript's RegExp) tries every way to split the letters among the
  // group's repetitions before it gives up at the "!": 2^59 ways for 60 letters, centuries at ~1 ns
  // each (30 letters held the event loop 5 s). RE2 reads the text once. Without linear-time
  // matching this test does not finish.
  it('matches in linear time: a pattern that backtracks catastrophically in RegExp answers at once', () => {
    const route: RouteConfig = { where: [{ field: 'payload.object.participant.user_name', matches: '^([A-Za-z]+\\s?)*$' }], sinks: ['a'] };
    const named = (userName: string): RouteSubject => subject({ body: () => ({ payload: { object: { participant: { user_name: userName } } } }) });
    expect(matching([route], named(`${'a'.repeat(60)}!`))).to.deep.equal([]);
    expect(matching([route], named('Ada Lovelace'))).to.deep.equal(['route-1']);
  });

  it('event globs match in linear time too (a glob with many stars is polynomial in RegExp)', () => {
    // ^.*a.*a.*a.*a.*a.*b$ against 3000 "a": RegExp tries every placement of the five a's, ~2e15.
    expect(matching([{ events: ['*a*a*a*a*a*b'], sinks: ['a'] }], subject({ event: 'a'.repeat(3000) }))).to.deep.equal([]);
    expect(matching([{ events: ['*a*a*a*a*a*b'], sinks: ['a'] }], subject({ event: 'aaaaab' }))).to.deep.equal(['route-1']);
  });

  it('compileGlob escapes regex characters', () => {
    expect(compileGlob('a+b(c)*').test('a+b(c)xyz')).to.equal(true);
    expect(compileGlob('a+b').test('aab')).to.equal(false);
  });
});
