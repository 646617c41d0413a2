// The Splunk HEC response classifier and the indexer-ack poll answers: the vendor rules of sink-protocols.md.
import { expect } from 'chai';
import { ackStatus, classifyHecResponse } from '../../../../src/sinks/splunk-hec/classify-hec-response.ts';
import { none, NOW, res, type ClassifierCase } from '../../../support/http-outcomes.ts';

const cases: ClassifierCase[] = [
  ['hec 200 code 0', res(200, '{"text":"Success","code":0}'), { kind: 'success' }],
  ['hec 503 code 9', res(503, '{"text":"Server is busy","code":9}', { 'retry-after': '5' }), { kind: 'retryable', reason: 'http_503_code_9', retryAfterMs: 5000 }],
  ['hec 500 code 8', res(500, '{"text":"Internal server error","code":8}'), { kind: 'retryable', reason: 'http_500_code_8' }],
  ['hec 429', res(429), { kind: 'retryable', reason: 'http_429' }],
  ['hec 400 invalid-event-number', res(400, '{"text":"Invalid data format","code":6,"invalid-event-number":2}'), { kind: 'reject_item', index: 2, reason: 'http_400_code_6' }],
  ['hec 400 code 7 (index)', res(400, '{"text":"Incorrect index","code":7}'), { kind: 'permanent', reason: 'http_400_code_7' }],
  ['hec 401 code 2', res(401, '{"text":"Token is required","code":2}'), { kind: 'permanent', reason: 'http_401_code_2' }],
  ['hec 403 code 4', res(403, '{"text":"Invalid token","code":4}'), { kind: 'permanent', reason: 'http_403_code_4' }],
  ['hec 413', res(413), { kind: 'too_large', reason: 'http_413' }],
  ['hec timeout', none('timeout'), { kind: 'retryable', reason: 'timeout' }],
];

describe('HEC response classifier', () => {
  for (const [name, outcome, expected] of cases) it(name, () => expect(classifyHecResponse(outcome, NOW)).to.deep.equal(expected));
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
