import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INGRESS_REJECTIONS, OTHER_ERROR_CODES, StartupError } from '../../src/errors.ts';

const ERRORS_MD = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');
const CODE = /^ZQ_ERR_[A-Z0-9_]+$/;

/** The table row that starts with the code, split into its cells. */
function rowOf(code: string): string[] | undefined {
  const line = ERRORS_MD.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
  return line?.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, '').trim());
}

describe('error catalogue', () => {
  const ingress = Object.entries(INGRESS_REJECTIONS);
  const others = Object.keys(OTHER_ERROR_CODES);

  it('every code has the ZQ_ERR_ form', () => {
    for (const code of [...ingress.map(([c]) => c), ...others]) expect(code).to.match(CODE);
  });

  it('docs/errors.md lists every HTTP answer with its status on the same row', () => {
    for (const [code, spec] of ingress) {
      const row = rowOf(code);
      expect(row, `${code} has no row in docs/errors.md`).to.not.equal(undefined);
      expect(row![1], `status of ${code} in docs/errors.md`).to.equal(String(spec.status));
    }
  });

  it('docs/errors.md lists every other code', () => {
    for (const code of others) expect(rowOf(code), `${code} has no row in docs/errors.md`).to.not.equal(undefined);
  });

  it('docs/errors.md documents no code that does not exist', () => {
    const known = new Set([...ingress.map(([c]) => c), ...others]);
    const documented = [...ERRORS_MD.matchAll(/^\| `(ZQ_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
    expect(documented.filter((c) => !known.has(c))).to.deep.equal([]);
  });

  it('a StartupError carries its problems, one or several, and the code ZQ_ERR_STARTUP', () => {
    const one = new StartupError('cannot listen on 127.0.0.1:8080 (server.port, or PORT): address already in use (EADDRINUSE)');
    expect([one.code, one.problems, one.message]).to.deep.equal(['ZQ_ERR_STARTUP', [one.message], one.message]);
    const two = new StartupError(['sinks.a.path: x', 'sinks.b.path: y']);
    expect([two.problems, two.message]).to.deep.equal([['sinks.a.path: x', 'sinks.b.path: y'], 'sinks.a.path: x; sinks.b.path: y']);
  });
});
