import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseForwarderConfig, parseSinksConfig } from '../../../src/config/load-config.ts';
import { formatConfigIssue } from '../../../src/config/config-issue.ts';

const DIR = join(import.meta.dirname, '../../fixtures/config');
const ROOT = join(import.meta.dirname, '../../..');

function parse(name: string, text: string, env: Record<string, string> = {}) {
  return name.startsWith('sinks') ? parseSinksConfig(name, text, env) : parseForwarderConfig(name, text, env);
}

describe('config loading', () => {
  describe('invalid files produce exactly their expected messages', () => {
    for (const file of readdirSync(join(DIR, 'invalid')).filter((f) => f.endsWith('.yaml'))) {
      it(file, () => {
        const result = parse(file, readFileSync(join(DIR, 'invalid', file), 'utf8'));
        const expected = readFileSync(join(DIR, 'invalid', file.replace(/\.yaml$/, '.errors.txt')), 'utf8').trim().split('\n');
        expect(result.ok).to.equal(false);
        if (!result.ok) expect(result.issues.map(formatConfigIssue)).to.deep.equal(expected);
      });
    }
  });

  describe('valid files', () => {
    it('fills defaults and interpolates typed values', () => {
      const r = parseForwarderConfig('f.yaml', readFileSync(join(DIR, 'valid/forwarder-full.yaml'), 'utf8'), { QSSF_TEST_PORT: '9191' });
      expect(r.ok).to.equal(true);
      if (!r.ok) return;
      expect(r.value.server.port).to.equal(9191);
      expect(r.value.server.host).to.equal('127.0.0.1');
      expect(r.value.server.max_clock_skew_seconds).to.equal(300);
      expect(r.value.server.tls?.min_version).to.equal('TLSv1.2');
      expect(r.value.zoom.apps.default).to.deep.equal({ secret_token: 's3cret', previous_secret_tokens: ['older'] });
      expect(r.value.bus.embedded.retention).to.include({ on_full: 'drop_oldest', max_age_hours: 168 });
      expect(Object.isFrozen(r.value.server)).to.equal(true);
    });
    it('accepts a sinks file with both sink types', () => {
      const r = parseSinksConfig('s.yaml', readFileSync(join(DIR, 'valid/sinks-both.yaml'), 'utf8'), {});
      expect(r.ok && Object.keys(r.value.sinks)).to.deep.equal(['archive', 'console']);
    });
    it('an empty forwarder.yaml is all defaults', () => {
      const r = parseForwarderConfig('f.yaml', '', {});
      expect(r.ok && r.value.server.port).to.equal(8080);
      expect(r.ok && r.value.admin.port).to.equal(9464);
    });
    it('the shipped config/ files are valid', async () => {
      const r = await loadConfig({ config: join(ROOT, 'config/forwarder.yaml'), sinks: join(ROOT, 'config/sinks.yaml') }, {});
      expect(r.ok, JSON.stringify(!r.ok && r.issues)).to.equal(true);
    });
  });

  describe('environment overrides', () => {
    it('PORT, ADMIN_PORT and ZOOM_WEBHOOK_SECRET_TOKEN override the file', () => {
      const r = parseForwarderConfig('f.yaml', 'server:\n  port: 1\nadmin:\n  port: 2\n', { PORT: '8181', ADMIN_PORT: '9191', ZOOM_WEBHOOK_SECRET_TOKEN: 'tok' });
      expect(r.ok && [r.value.server.port, r.value.admin.port, r.value.zoom.apps.default?.secret_token]).to.deep.equal([8181, 9191, 'tok']);
    });
    it('a bad override is reported against the variable, not the file', () => {
      const r = parseForwarderConfig('f.yaml', 'server:\n  port: 1\n', { PORT: '80a' });
      expect(!r.ok && r.issues.map(formatConfigIssue)).to.deep.equal(['environment PORT: server.port: expected an integer, found "80a"']);
    });
    it('KAFKA_BROKERS selects the Kafka bus with its comma-separated brokers', () => {
      const r = parseForwarderConfig('f.yaml', 'bus:\n  type: embedded\n', { KAFKA_BROKERS: 'k1:9092, k2:9093,' });
      expect(r.ok && [r.value.bus.type, r.value.bus.kafka.brokers, r.value.bus.kafka.topic]).to.deep.equal(['kafka', ['k1:9092', 'k2:9093'], 'zoom.qss.events']);
    });
    it('a bad broker in KAFKA_BROKERS is reported against the variable', () => {
      const r = parseForwarderConfig('f.yaml', '', { KAFKA_BROKERS: 'no-port' });
      expect(!r.ok && r.issues.map(formatConfigIssue)).to.deep.equal(['environment KAFKA_BROKERS: bus.kafka.brokers.0: expected a string matching ^[^\\s,]+:[0-9]{1,5}$, found "no-port"']);
    });
    it('bus.type kafka without brokers is an error', () => {
      const r = parseForwarderConfig('f.yaml', 'bus:\n  type: kafka\n', {});
      expect(!r.ok && r.issues.map(formatConfigIssue)).to.deep.equal(['f.yaml:2:3: bus.kafka.brokers: bus.type is kafka but no brokers are given (set bus.kafka.brokers or KAFKA_BROKERS)']);
    });
    it('an interpolated value is kept as the exact string unless it is a number or boolean', () => {
      const text = 'server:\n  port: ${P}\nzoom:\n  apps:\n    default:\n      secret_token: ${S}\n    b:\n      secret_token: ${T}\n    c:\n      secret_token: ${U}\n';
      const r = parseForwarderConfig('f.yaml', text, { P: '8181', S: '@tok #not-a-comment', T: '!tag', U: '[x' });
      expect(r.ok && [r.value.server.port, r.value.zoom.apps.default?.secret_token, r.value.zoom.apps.b?.secret_token, r.value.zoom.apps.c?.secret_token]).to.deep.equal([8181, '@tok #not-a-comment', '!tag', '[x']);
    });
    it('never echoes a secret value in a message', () => {
      const r = parseForwarderConfig('f.yaml', 'zoom:\n  apps:\n    default:\n      secret_token: [hunter2]\n', {});
      expect(!r.ok && r.issues.map(formatConfigIssue).join('\n')).to.not.include('hunter2');
    });
  });

  describe('request headers and credentials', () => {
    it('OTLP_HEADERS in the colon form is a problem at the headers key, never showing the value', () => {
      const text = 'sinks:\n  otel:\n    type: otlp\n    endpoint: http://c:4318\n    headers: ${OTLP_HEADERS:-}\n';
      const r = parseSinksConfig('s.yaml', text, { OTLP_HEADERS: 'authorization: Bearer xyzzy-secret' });
      expect(!r.ok && r.issues.map(formatConfigIssue)).to.deep.equal([
        's.yaml:5:5: sinks.otel.headers: entry 1 ("authorization: …") is not name=value: write name=value pairs separated by commas, as in OTEL_EXPORTER_OTLP_HEADERS (percent-encode "," "=" and "%" in a value)',
      ]);
      expect(parseSinksConfig('s.yaml', text, { OTLP_HEADERS: 'authorization=Bearer%20xyzzy-secret' }).ok).to.equal(true);
    });
    it('no header or credential problem repeats a value (sinks-headers.yaml)', () => {
      const r = parseSinksConfig('s.yaml', readFileSync(join(DIR, 'invalid/sinks-headers.yaml'), 'utf8'), {});
      expect(!r.ok && r.issues).to.have.length(6);
      expect(JSON.stringify(r)).to.not.include('xyzzy');
    });
  });

  describe('YAML aliases', () => {
    const usesOfOneAnchor = (n: number): string => `sinks:\n  file_0:\n    type: file\n    path: &p events.jsonl\n${Array.from({ length: n }, (_, i) => `  file_${i + 1}:\n    type: file\n    path: *p\n`).join('')}`;
    it('an anchor may be used 99 times (the yaml library\'s limit is 100 copies)', () => {
      const r = parseSinksConfig('s.yaml', usesOfOneAnchor(99), {});
      expect(r.ok && Object.keys(r.value.sinks)).to.have.length(100);
    });
    it('the 100th use is a problem at that alias, not an exception (forwarder.yaml alike)', () => {
      const r = parseSinksConfig('s.yaml', usesOfOneAnchor(119), {});
      expect(!r.ok && r.issues.map((i) => i.where)).to.deep.equal([`s.yaml:${4 + 3 * 100}:11`]);
      const f = parseForwarderConfig('f.yaml', `data_dir: &d ./data\nx: [${Array.from({ length: 119 }, () => '*d').join(', ')}]\n`, {});
      expect(!f.ok && f.issues.map(formatConfigIssue)[0]).to.match(/^f\.yaml:2:401: \(yaml\): too many alias expansions at \*d: .* write the repeated values out or use fewer aliases$/);
    });
  });

  it('reports both files at once, including an unreadable one', async () => {
    const r = await loadConfig({ config: join(DIR, 'invalid/forwarder-types.yaml'), sinks: join(DIR, 'does-not-exist.yaml') }, {});
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.issues[0]).to.deep.equal({ where: join(DIR, 'does-not-exist.yaml'), path: '(file)', message: 'cannot read the file (ENOENT)' });
    expect(r.issues).to.have.length(8);
  });
});

describe('ZOOM_WEBHOOK_PREVIOUS_SECRET_TOKENS', () => {
  it('sets the default app\'s previous tokens (comma-separated) for a rotation without editing files', () => {
    const r = parseForwarderConfig('f.yaml', 'zoom:\n  apps:\n    default:\n      secret_token: new-token\n', { ZOOM_WEBHOOK_PREVIOUS_SECRET_TOKENS: 'old-1, old-2,' });
    expect(r.ok && r.value.zoom.apps.default?.previous_secret_tokens).to.deep.equal(['old-1', 'old-2']);
  });
});
