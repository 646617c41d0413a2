// Loads forwarder.yaml and sinks.yaml: the only place config files are read from disk.
import { readFile } from 'node:fs/promises';
import { DEFAULT_APP } from '../ingress/ingress-config.ts';
import { checkSinksConfig } from './check-sinks-config.ts';
import { sinksConfigSchema, type SinksConfig } from '../sinks/sinks-config.ts';
import { forwarderConfigSchema, type ForwarderConfig } from './forwarder-config.ts';
import type { ConfigIssue, ConfigResult, SemanticIssue } from './config-issue.ts';
import { loadYamlConfig, type EnvOverride } from './load-yaml-config.ts';

export interface LoadedConfig {
  forwarder: ForwarderConfig;
  sinks: SinksConfig;
  /** sinks.yaml as read (hot reload compares the file against it). */
  sinksText: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Environment variables that override forwarder.yaml whatever it says (DESIGN.md public interface). */
export const FORWARDER_ENV_OVERRIDES: readonly EnvOverride[] = [
  { env: 'PORT', path: ['server', 'port'], type: 'integer' },
  { env: 'ADMIN_PORT', path: ['admin', 'port'], type: 'integer' },
  { env: 'ZOOM_WEBHOOK_SECRET_TOKEN', path: ['zoom', 'apps', DEFAULT_APP, 'secret_token'], type: 'string' },
  // Token rotation without editing files: the old token(s), comma-separated.
  { env: 'ZOOM_WEBHOOK_PREVIOUS_SECRET_TOKENS', path: ['zoom', 'apps', DEFAULT_APP, 'previous_secret_tokens'], type: 'list' },
  { env: 'LOG_LEVEL', path: ['observability', 'log_level'], type: 'string' },
  { env: 'LOG_FORMAT', path: ['observability', 'log_format'], type: 'string' },
  { env: 'KAFKA_BROKERS', path: ['bus', 'kafka', 'brokers'], type: 'list', also: { path: ['bus', 'type'], value: 'kafka' } },
];

export function checkForwarderConfig(config: ForwarderConfig): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  for (const [name, app] of Object.entries(config.zoom.apps)) {
    if (name !== DEFAULT_APP && app.secret_token === '') {
      issues.push({ path: ['zoom', 'apps', name, 'secret_token'], message: `missing: every app but "${DEFAULT_APP}" needs its Zoom Secret Token` });
    }
    if (app.previous_secret_tokens.includes(app.secret_token) && app.secret_token !== '') {
      issues.push({ path: ['zoom', 'apps', name, 'previous_secret_tokens'], message: 'lists the current secret_token; keep only older tokens here' });
    }
  }
  if (config.bus.type === 'kafka' && config.bus.kafka.brokers.length === 0) {
    issues.push({ path: ['bus', 'kafka', 'brokers'], message: 'bus.type is kafka but no brokers are given (set bus.kafka.brokers or KAFKA_BROKERS)' });
  }
  if (config.bus.type === 'kafka' && config.bus.kafka.idempotent && config.bus.kafka.acks !== -1) {
    issues.push({ path: ['bus', 'kafka', 'idempotent'], message: 'an idempotent producer needs acks: -1' });
  }
  if (config.bus.type === 'kafka' && config.bus.kafka.topic === config.bus.kafka.dlq_topic) {
    issues.push({ path: ['bus', 'kafka', 'dlq_topic'], message: 'must differ from bus.kafka.topic' });
  }
  return issues;
}

async function readText(file: string): Promise<{ ok: true; text: string } | { ok: false; issue: ConfigIssue }> {
  try {
    return { ok: true, text: await readFile(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, issue: { where: file, path: '(file)', message: `cannot read the file (${code})` } };
  }
}

export function parseForwarderConfig(file: string, text: string, env: Env): ConfigResult<ForwarderConfig> {
  return loadYamlConfig<ForwarderConfig>({ file, text, env, schema: forwarderConfigSchema, overrides: FORWARDER_ENV_OVERRIDES, check: checkForwarderConfig });
}

export function parseSinksConfig(file: string, text: string, env: Env): ConfigResult<SinksConfig> {
  return loadYamlConfig<SinksConfig>({ file, text, env, schema: sinksConfigSchema, check: checkSinksConfig });
}

/** Both files; every problem of both is reported at once. */
export async function loadConfig(paths: { config: string; sinks: string }, env: Env): Promise<ConfigResult<LoadedConfig>> {
  const [fwdText, sinksText] = await Promise.all([readText(paths.config), readText(paths.sinks)]);
  const issues: ConfigIssue[] = [];
  const fwd = fwdText.ok ? parseForwarderConfig(paths.config, fwdText.text, env) : undefined;
  const sinks = sinksText.ok ? parseSinksConfig(paths.sinks, sinksText.text, env) : undefined;
  if (!fwdText.ok) issues.push(fwdText.issue);
  if (!sinksText.ok) issues.push(sinksText.issue);
  if (fwd && !fwd.ok) issues.push(...fwd.issues);
  if (sinks && !sinks.ok) issues.push(...sinks.issues);
  if (issues.length > 0 || !fwd?.ok || !sinks?.ok) return { ok: false, issues };
  return { ok: true, value: { forwarder: fwd.value, sinks: sinks.value, sinksText: sinksText.ok ? sinksText.text : '' } };
}
