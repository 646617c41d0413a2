// The OTLP sink's URL and header rules.
import { expect } from 'chai';
import { otlpHeaders, otlpMetricsUrl } from '../../../../src/sinks/otlp/create-otlp-sink.ts';

describe('otlp sink: URL and headers', () => {
  it('URL: a base URL gets /v1/metrics; an explicit path is kept', () => {
    expect(otlpMetricsUrl('http://c:4318')).to.equal('http://c:4318/v1/metrics');
    expect(otlpMetricsUrl('http://c:4318/otlp/v1/metrics/')).to.equal('http://c:4318/otlp/v1/metrics');
  });

  it('headers from the OTEL_EXPORTER_OTLP_HEADERS form', () => {
    expect(otlpHeaders('Authorization=Bearer%20a%3Db, x-tenant = t1 ,')).to.deep.equal({ authorization: 'Bearer a=b', 'x-tenant': 't1' });
    expect(otlpHeaders('')).to.deep.equal({});
  });
});
