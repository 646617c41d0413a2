import { expect } from 'chai';
import { connectionCaps, parseOpenFileLimit, RESERVED_DESCRIPTORS } from '../../../src/cli/connection-caps.ts';
import { StartupError } from '../../../src/errors.ts';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            256                  4096                 files
Max locked memory         8388608              8388608              bytes
`;

describe('parseOpenFileLimit', () => {
  it('reads the soft limit of /proc/self/limits', () => expect(parseOpenFileLimit(LIMITS)).to.equal(256));
  it('is undefined when unlimited or absent', () => {
    expect(parseOpenFileLimit(LIMITS.replace('256 ', 'unlimited '))).to.equal(undefined);
    expect(parseOpenFileLimit('Limit Soft Hard\n')).to.equal(undefined);
  });
});

describe('connectionCaps', () => {
  it('keeps the configured caps when the open-file limit has room for them and the reserve', () => {
    expect(connectionCaps({ webhook: 1024, admin: 64 }, 65536)).to.deep.equal({ webhook: 1024, admin: 64 });
    expect(connectionCaps({ webhook: 1024, admin: 64 }, undefined)).to.deep.equal({ webhook: 1024, admin: 64 });
  });
  it('lowers the webhook cap to what the limit leaves after the reserve and the admin cap, and says so', () => {
    expect(connectionCaps({ webhook: 1024, admin: 64 }, 256)).to.deep.equal({ webhook: 256 - RESERVED_DESCRIPTORS - 64, admin: 64, lowered: { configured: 1024, openFileLimit: 256 } });
  });
  it('refuses to start when the limit leaves almost nothing, naming the limit and the settings', () => {
    expect(() => connectionCaps({ webhook: 1024, admin: 64 }, 200)).to.throw(StartupError, /open-file limit is 200 .*admin\.max_connections \(64\).*server\.max_connections.*ulimit -n.*LimitNOFILE.* at least 208/);
  });
});
