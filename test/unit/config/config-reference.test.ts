import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReferenceMarkdown } from '../../../src/config/config-reference.ts';
import { forwarderConfigSchema } from '../../../src/config/forwarder-config.ts';
import { FORWARDER_ENV_OVERRIDES } from '../../../src/config/load-config.ts';
import { sinksConfigSchema } from '../../../src/sinks/sinks-config.ts';

const ROOT = join(import.meta.dirname, '../../..');

interface Leaf {
  path: string;
  secret: boolean;
}

/** Every leaf key of a schema, walked here independently of the generator. */
function leaves(schema: unknown, path: string[] = []): Leaf[] {
  const s = schema as Record<string, unknown>;
  const found: Leaf[] = [];
  const props = s.properties as Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(props ?? {})) found.push(...leaves(child, [...path, key]));
  if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) {
    found.push(...leaves(s.additionalProperties, [...path, '<name>']));
  }
  for (const variant of (s.oneOf as unknown[] | undefined) ?? []) found.push(...leaves(variant, path));
  if (found.length === 0 && path.length > 0) return [{ path: path.join('.'), secret: s.writeOnly === true }];
  return found;
}

function rowOf(markdown: string, path: string): string | undefined {
  return markdown.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));
}

describe('configuration reference', () => {
  const markdown = configReferenceMarkdown();
  const allLeaves = [...leaves(forwarderConfigSchema), ...leaves(sinksConfigSchema)];

  it('docs/configuration.md is up to date', () => {
    const committed = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    expect(committed === markdown, 'docs/configuration.md is stale: run npm run docs:config').to.equal(true);
  });

  it('is deterministic', () => {
    expect(configReferenceMarkdown()).to.equal(markdown);
  });

  it('has a table row for every leaf key of both schemas', () => {
    expect(allLeaves.length).to.be.greaterThan(30);
    for (const must of ['server.max_body_bytes', 'zoom.apps.<name>.secret_token', 'bus.embedded.retention.on_full', 'sinks.<name>.path']) {
      expect(allLeaves.map((l) => l.path)).to.include(must);
    }
    const missing = allLeaves.filter((l) => rowOf(markdown, l.path) === undefined).map((l) => l.path);
    expect(missing, 'keys missing from the reference').to.deep.equal([]);
  });

  it('marks secret fields secret, and only those', () => {
    const secret = allLeaves.filter((l) => l.secret);
    expect(secret.map((l) => l.path)).to.include('zoom.apps.<name>.secret_token');
    for (const leaf of allLeaves) {
      expect(rowOf(markdown, leaf.path)!.includes('**secret**'), leaf.path).to.equal(leaf.secret);
    }
  });

  it('shows defaults, required keys and bounds', () => {
    expect(rowOf(markdown, 'server.max_body_bytes')).to.include('| integer | `1048576` | ≥ 1024, ≤ 67108864 |');
    expect(rowOf(markdown, 'sinks.<name>.path')).to.include('| string | required |');
    expect(rowOf(markdown, 'bus.embedded.retention.on_full')).to.include('one of `reject`, `drop_oldest`');
    expect(rowOf(markdown, 'zoom.apps.<name>.previous_secret_tokens')).to.include('list of string');
  });

  it('lists every environment override and the interpolation syntax', () => {
    for (const o of FORWARDER_ENV_OVERRIDES) expect(markdown).to.include(`| \`${o.env}\` | \`${o.path.join('.')}\` |`);
    for (const text of ['npx qss-forwarder validate', '${VAR}', '${VAR:-default}', '$${']) expect(markdown).to.include(text);
  });

  it('has a section per sink type', () => {
    expect(markdown).to.include('#### `file`');
    expect(markdown).to.include('#### `stdout`');
  });
});
