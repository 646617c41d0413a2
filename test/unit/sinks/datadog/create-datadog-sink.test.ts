// The Datadog sink's URL rules.
import { expect } from 'chai';
import { datadogUrls } from '../../../../src/sinks/datadog/create-datadog-sink.ts';

describe('datadog sink: URLs', () => {
  it('the site gives the vendor URLs; a base URL (a proxy) replaces it', () => {
    expect(datadogUrls({ site: 'datadoghq.eu' })).to.deep.equal({ series: 'https://api.datadoghq.eu/api/v2/series', logs: 'https://http-intake.logs.datadoghq.eu/api/v2/logs' });
    expect(datadogUrls({ site: 'datadoghq.com', url: 'http://proxy:8080/' })).to.deep.equal({ series: 'http://proxy:8080/api/v2/series', logs: 'http://proxy:8080/api/v2/logs' });
  });
});
