import { expect } from 'chai';
import { formatConfigIssue, sortIssues } from '../../../src/config/config-issue.ts';

describe('config issues', () => {
  it('sorts issues in file order, line then column, environment overrides first', () => {
    const issues = [
      { where: 'sinks.yaml:12:3', path: 'sinks.b', message: 'b' },
      { where: 'sinks.yaml:2:9', path: 'sinks.a.x', message: 'a2' },
      { where: 'environment QSS_PORT', path: 'server.port', message: 'env' },
      { where: 'sinks.yaml:2:3', path: 'sinks.a', message: 'a1' },
    ];
    expect(sortIssues(issues).map((i) => i.message)).to.deep.equal(['env', 'a1', 'a2', 'b']);
    expect(issues[0]!.message).to.equal('b'); // the input is not reordered
  });

  it('prints one issue as where: path: message', () => {
    expect(formatConfigIssue({ where: 'forwarder.yaml:3:7', path: 'server.port', message: 'must be ≤ 65535' })).to.equal('forwarder.yaml:3:7: server.port: must be ≤ 65535');
  });
});
