import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INGRESS_REJECTIONS, OTHER_ERROR_CODES, StartupError, startupFailureFields } from '../../src/errors.ts';

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

  it('a StartupError is logged as its problems, without a stack; any other error as it is (a bug: with its stack)', () => {
    const problems = ['sinks.events_file.path: cannot open /dev/null/x for appending (ENOTDIR: not a directory)'];
    expect(startupFailureFields(new StartupError(problems))).to.deep.equal({ code: 'ZQ_ERR_STARTUP', problems });
    const bug = new TypeError('x is undefined');
    expect(startupFailureFields(bug)).to.deep.equal({ err: bug, code: 'ZQ_ERR_STARTUP' });
  });
});
