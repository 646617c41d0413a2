// The three sinks' response classifiers, one table: the vendor rules of sink-protocols.md.
import { expect } from 'chai';
import type { HttpOutcome } from '../../../../src/delivery/http-client.ts';
import { classifyDatadogResponse } from '../../../../src/sinks/datadog/classify-datadog-response.ts';
import { classifyOtlpResponse } from '../../../../src/sinks/otlp/classify-otlp-response.ts';
import { ackStatus, classifyHecResponse } from '../../../../src/sinks/splunk-hec/classify-hec-response.ts';

const NOW = Date.UTC(2026, 10, 27);
const res = (status: number, body = '', headers: Record<string, string> = {}): HttpOutcome => ({ ok: true, status, body, headers, ms: 1 });
const none = (reason: string): HttpOutcome => ({ ok: false, reason, ms: 1 });

const cases: [string, (o: HttpOutcome, now: number) => unknown, HttpOutcome, unknown][] = [
  ['otlp 200 {}', classifyOtlpResponse, res(200, '{}'), { kind: 'success' }],
  ['otlp 200 partial success', classifyOtlpResponse, res(200, '{"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"bad"}}'), { kind: 'success', rejectedItems: 3, warning: 'bad' }],
  ['otlp 200 empty partial success = success', classifyOtlpResponse, res(200, '{"partialSuccess":{}}'), { kind: 'success' }],
  ['otlp 429 Retry-After', classifyOtlpResponse, res(429, '', { 'retry-after': '2' }), { kind: 'retryable', reason: 'http_429', retryAfterMs: 2000 }],
  ['otlp 502', classifyOtlpResponse, res(502), { kind: 'retryable', reason: 'http_502' }],
  ['otlp 503', classifyOtlpResponse, res(503), { kind: 'retryable', reason: 'http_503' }],
  ['otlp 504', classifyOtlpResponse, res(504), { kind: 'retryable', reason: 'http_504' }],
  ['otlp 500 not retried', classifyOtlpResponse, res(500), { kind: 'permanent', reason: 'http_500' }],
  ['otlp 400 isolated', classifyOtlpResponse, res(400), { kind: 'permanent', reason: 'http_400', isolate: true }],
  ['otlp 401', classifyOtlpResponse, res(401), { kind: 'permanent', reason: 'http_401' }],
  ['otlp 413 split', classifyOtlpResponse, res(413), { kind: 'too_large', reason: 'http_413' }],
  ['otlp no answer', classifyOtlpResponse, none('network_econnreset'), { kind: 'retryable', reason: 'network_econnreset' }],
  ['hec 200 code 0', classifyHecResponse, res(200, '{"text":"Success","code":0}'), { kind: 'success' }],
  ['hec 503 code 9', classifyHecResponse, res(503, '{"text":"Server is busy","code":9}', { 'retry-after': '5' }), { kind: 'retryable', reason: 'http_503_code_9', retryAfterMs: 5000 }],
  ['hec 500 code 8', classifyHecResponse, res(500, '{"text":"Internal server error","code":8}'), { kind: 'retryable', reason: 'http_500_code_8' }],
  ['hec 429', classifyHecResponse, res(429), { kind: 'retryable', reason: 'http_429' }],
  ['hec 400 invalid-event-number', classifyHecResponse, res(400, '{"text":"Invalid data format","code":6,"invalid-event-number":2}'), { kind: 'reject_item', index: 2, reason: 'http_400_code_6' }],
  ['hec 400 code 7 (index)', classifyHecResponse, res(400, '{"text":"Incorrect index","code":7}'), { kind: 'permanent', reason: 'http_400_code_7' }],
  ['hec 401 code 2', classifyHecResponse, res(401, '{"text":"Token is required","code":2}'), { kind: 'permanent', reason: 'http_401_code_2' }],
  ['hec 403 code 4', classifyHecResponse, res(403, '{"text":"Invalid token","code":4}'), { kind: 'permanent', reason: 'http_403_code_4' }],
  ['hec 413', classifyHecResponse, res(413), { kind: 'too_large', reason: 'http_413' }],
  ['hec timeout', classifyHecResponse, none('timeout'), { kind: 'retryable', reason: 'timeout' }],
  ['datadog 202', classifyDatadogResponse, res(202, '{"errors":[]}'), { kind: 'success' }],
  ['datadog 408', classifyDatadogResponse, res(408), { kind: 'retryable', reason: 'http_408' }],
  ['datadog 429 X-RateLimit-Reset', classifyDatadogResponse, res(429, '', { 'x-ratelimit-reset': '7' }), { kind: 'retryable', reason: 'http_429', retryAfterMs: 7000 }],
  ['datadog 500', classifyDatadogResponse, res(500), { kind: 'retryable', reason: 'http_500' }],
  ['datadog 400 isolated', classifyDatadogResponse, res(400), { kind: 'permanent', reason: 'http_400', isolate: true }],
  ['datadog 403', classifyDatadogResponse, res(403), { kind: 'permanent', reason: 'http_403' }],
  ['datadog 413 split', classifyDatadogResponse, res(413), { kind: 'too_large', reason: 'http_413' }],
];

describe('sink response classifiers', () => {
  for (const [name, classify, outcome, expected] of cases) it(name, () => expect(classify(outcome, NOW)).to.deep.equal(expected));
});

describe('HEC indexer-ack poll answers (ackStatus for ackId 7)', () => {
  const answers: [string, ReturnType<typeof ackStatus>][] = [
    ['{"acks":{"7":true}}', 'indexed'],
    ['{"acks":{"7":false,"8":true}}', 'pending'],
    ['{"acks":{}}', 'pending'],
    ['{"acks":{"7":"true"}}', 'pending'],
    ['<html>502 Bad Gateway</html>', 'unreadable'],
    ['', 'unreadable'],
    ['{"acks":{"7":tr', 'unreadable'],
    ['null', 'unreadable'],
    ['[]', 'unreadable'],
    ['{"text":"Success","code":0}', 'unreadable'],
    ['{"acks":[true]}', 'unreadable'],
    ['{"acks":null}', 'unreadable'],
  ];
  for (const [body, expected] of answers) it(`${JSON.stringify(body)} → ${expected}`, () => expect(ackStatus(body, 7)).to.equal(expected));
});
