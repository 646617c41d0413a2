// The OTLP response classifier: the vendor rules of sink-protocols.md.
import { expect } from 'chai';
import { classifyOtlpResponse } from '../../../../src/sinks/otlp/classify-otlp-response.ts';
import { none, NOW, res, type ClassifierCase } from '../../../support/http-outcomes.ts';

const cases: ClassifierCase[] = [
  ['otlp 200 {}', res(200, '{}'), { kind: 'success' }],
  ['otlp 200 partial success', res(200, '{"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"bad"}}'), { kind: 'success', rejectedItems: 3, warning: 'bad' }],
  ['otlp 200 empty partial success = success', res(200, '{"partialSuccess":{}}'), { kind: 'success' }],
  ['otlp 429 Retry-After', res(429, '', { 'retry-after': '2' }), { kind: 'retryable', reason: 'http_429', retryAfterMs: 2000 }],
  ['otlp 502', res(502), { kind: 'retryable', reason: 'http_502' }],
  ['otlp 503', res(503), { kind: 'retryable', reason: 'http_503' }],
  ['otlp 504', res(504), { kind: 'retryable', reason: 'http_504' }],
  ['otlp 500 not retried', res(500), { kind: 'permanent', reason: 'http_500' }],
  ['otlp 400 isolated', res(400), { kind: 'permanent', reason: 'http_400', isolate: true }],
  ['otlp 401', res(401), { kind: 'permanent', reason: 'http_401' }],
  ['otlp 413 split', res(413), { kind: 'too_large', reason: 'http_413' }],
  ['otlp no answer', none('network_econnreset'), { kind: 'retryable', reason: 'network_econnreset' }],
];

describe('OTLP response classifier', () => {
  for (const [name, outcome, expected] of cases) it(name, () => expect(classifyOtlpResponse(outcome, NOW)).to.deep.equal(expected));
});
