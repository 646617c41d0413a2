// The Datadog response classifier: the vendor rules of sink-protocols.md.
import { expect } from 'chai';
import { classifyDatadogResponse } from '../../../../src/sinks/datadog/classify-datadog-response.ts';
import { NOW, res, type ClassifierCase } from '../../../support/http-outcomes.ts';

const cases: ClassifierCase[] = [
  ['datadog 202', res(202, '{"errors":[]}'), { kind: 'success' }],
  ['datadog 408', res(408), { kind: 'retryable', reason: 'http_408' }],
  ['datadog 429 X-RateLimit-Reset', res(429, '', { 'x-ratelimit-reset': '7' }), { kind: 'retryable', reason: 'http_429', retryAfterMs: 7000 }],
  ['datadog 500', res(500), { kind: 'retryable', reason: 'http_500' }],
  ['datadog 400 isolated', res(400), { kind: 'permanent', reason: 'http_400', isolate: true }],
  ['datadog 403', res(403), { kind: 'permanent', reason: 'http_403' }],
  ['datadog 413 split', res(413), { kind: 'too_large', reason: 'http_413' }],
];

describe('Datadog response classifier', () => {
  for (const [name, outcome, expected] of cases) it(name, () => expect(classifyDatadogResponse(outcome, NOW)).to.deep.equal(expected));
});
