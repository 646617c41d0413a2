import { expect } from 'chai';
import { interpolateEnv } from '../../../src/config/interpolate-env.ts';

describe('interpolateEnv', () => {
  const env = { A: 'alpha', EMPTY: '' };
  const ok: [string, string][] = [
    ['${A}', 'alpha'],
    ['x-${A}-y', 'x-alpha-y'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${MISSING:-}', ''],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY}', ''],
    ['${A:-d}', 'alpha'],
    ['$${A}', '${A}'],
    ['no refs $ here', 'no refs $ here'],
    ['${MISSING:-a:-b}', 'a:-b'],
  ];
  for (const [text, value] of ok) it(`${text} → ${JSON.stringify(value)}`, () => expect(interpolateEnv(text, env)).to.deep.equal({ ok: true, value }));
  it('an unset variable without default is an error naming it', () =>
    expect(interpolateEnv('${NOPE}', env)).to.deep.equal({ ok: false, message: 'environment variable NOPE is not set (write ${NOPE:-default} to give a default)' }));
  it('a bad name is an error', () => expect(interpolateEnv('${1A}', env).ok).to.equal(false));
});
