import { expect } from 'chai';
import { parseHttpHeaders } from '../../../src/delivery/parse-http-headers.ts';

const SECRET = 's3cr3t-Bearer-value';

describe('parseHttpHeaders', () => {
  describe('the OTEL_EXPORTER_OTLP_HEADERS list', () => {
    it('reads name=value pairs: names trimmed and lowercased, values trimmed and percent-decoded, blank entries ignored', () => {
      expect(parseHttpHeaders(' Authorization=Bearer%20a%3Db , x-tenant = t1 ,, ')).to.deep.equal({ ok: true, headers: { authorization: 'Bearer a=b', 'x-tenant': 't1' } });
      expect(parseHttpHeaders('')).to.deep.equal({ ok: true, headers: {} });
      expect(parseHttpHeaders('x-empty=')).to.deep.equal({ ok: true, headers: { 'x-empty': '' } });
    });

    const cases: [string, string, string][] = [
      ['the colon form', `authorization: Bearer ${SECRET}`, 'entry 1 ("authorization: …") is not name=value: write name=value pairs separated by commas, as in OTEL_EXPORTER_OTLP_HEADERS (percent-encode "," "=" and "%" in a value)'],
      ['an entry without "="', `x-tenant=t1,${SECRET}`, 'entry 2 is not name=value: write name=value pairs separated by commas, as in OTEL_EXPORTER_OTLP_HEADERS (percent-encode "," "=" and "%" in a value)'],
      ['an empty name', `=${SECRET}`, 'entry 1 has no header name before "="'],
      ['a name that is not an HTTP token (not shown)', `Bearer ${SECRET}=x`, "entry 1: the header name is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only; the name is not shown)"],
      ['bad percent-encoding', `authorization=Bearer%2${SECRET}%`, 'entry 1: the value of header "authorization" is not valid percent-encoding (a "%" starts %XX with two hex digits; write %25 for "%")'],
      ['CR/LF in a value', `authorization=${SECRET}%0D%0AX-Injected: 1`, 'entry 1: the value of header "authorization" holds CR, LF or another character a header value cannot carry (control characters, or beyond U+00FF)'],
      ['a header the forwarder sets itself', `Content-Length=${SECRET}`, 'entry 1: header "Content-Length" is set by the forwarder for each request; remove it'],
    ];
    for (const [name, list, problem] of cases) {
      it(`${name} is a problem that never shows the value`, () => {
        const result = parseHttpHeaders(list);
        expect(result).to.deep.equal({ ok: false, problems: [problem] });
        expect(JSON.stringify(result)).to.not.include(SECRET.slice(0, 6));
      });
    }

    it('lists every malformed entry', () => {
      expect(parseHttpHeaders('a:1,b=2,=3')).to.deep.include({ ok: false }).and.have.nested.property('problems.length', 2);
    });
  });

  describe('the mapping form', () => {
    it('keeps valid headers as given', () => {
      expect(parseHttpHeaders({ Authorization: 'Bearer x', 'x-tenant': 't1' })).to.deep.equal({ ok: true, headers: { Authorization: 'Bearer x', 'x-tenant': 't1' } });
    });
    it('refuses a name that is not a token (not shown), a reserved name and a value with CR/LF, never showing a value', () => {
      const result = parseHttpHeaders({ [`Bearer ${SECRET}`]: 'x', host: 'h', 'x-key': `${SECRET}\n` });
      expect(result).to.deep.equal({
        ok: false,
        problems: [
          "entry 1: the header name is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only; the name is not shown)",
          'entry 2: header "host" is set by the forwarder for each request; remove it',
          'entry 3: the value of header "x-key" holds CR, LF or another character a header value cannot carry (control characters, or beyond U+00FF)',
        ],
      });
      expect(JSON.stringify(result)).to.not.include(SECRET.slice(0, 6));
    });
  });
});
