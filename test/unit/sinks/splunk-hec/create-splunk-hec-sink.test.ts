// The HEC sink's URL rules.
import { expect } from 'chai';
import { hecAckUrl, hecEventUrl } from '../../../../src/sinks/splunk-hec/create-splunk-hec-sink.ts';

describe('splunk_hec sink: URLs', () => {
  it('a base URL gets the vendor path; an explicit path is kept; the ack URL beside the event URL', () => {
    expect(hecEventUrl('https://s:8088/')).to.equal('https://s:8088/services/collector/event');
    expect(hecEventUrl('https://s:8088/services/collector')).to.equal('https://s:8088/services/collector');
    expect(hecAckUrl('https://s:8088/services/collector/event')).to.equal('https://s:8088/services/collector/ack');
  });
});
