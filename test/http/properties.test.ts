import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHeaderKey, K6Response, selectJson } from '../../src/load/http/index.ts';
import { encodeForm } from '../../src/load/http/body.ts';
import { responseHeaders } from '../../src/load/http/headers.ts';
import { globMatch } from '../../src/load/http/json-selector.ts';

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Go's textproto.CanonicalMIMEHeaderKey, written the obvious way. */
function goCanonical(s: string): string {
  for (const c of s) if (!TCHAR.includes(c)) return s;
  let upper = true;
  let out = '';
  for (const c of s) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 40 });

describe('canonicalHeaderKey', () => {
  it('matches Go for header tokens', () => {
    fc.assert(fc.property(token, (name) => {
      expect(canonicalHeaderKey(name)).toBe(goCanonical(name));
    }));
  });

  it('is idempotent, preserves length and case-insensitive identity', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (name) => {
      const c = canonicalHeaderKey(name);
      expect(canonicalHeaderKey(c)).toBe(c);
      expect(c.length).toBe(name.length);
      expect(c.toLowerCase()).toBe(name.toLowerCase());
    }));
  });

  it('leaves names with bytes outside the token set untouched', () => {
    fc.assert(fc.property(token, fc.constantFrom(' ', ':', '\u00e9', '\n', '"', '(', '\u0000'), token, (a, bad, b) => {
      const name = a + bad + b;
      expect(canonicalHeaderKey(name)).toBe(name);
    }));
  });

  it('merges raw headers that differ only in case', () => {
    fc.assert(fc.property(token, fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 4 }), (name, values) => {
      const raw: Buffer[] = [];
      values.forEach((v, i) => raw.push(Buffer.from(i % 2 ? name.toLowerCase() : name.toUpperCase()), Buffer.from(v)));
      const h = responseHeaders(raw);
      expect(Object.keys(h)).toEqual([goCanonical(name.toUpperCase())]);
      expect(h[goCanonical(name.toUpperCase())]).toBe(values.join(', '));
    }));
  });
});

describe('json selector', () => {
  it('never throws on hostile paths and documents', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.string({ maxLength: 30 }), (doc, path) => {
      selectJson(doc, path);
    }), { numRuns: 500 });
  });

  it('finds every value at the path built from its own keys', () => {
    const escape = (k: string) => k.replace(/[\\.*?]/g, (c) => `\\${c}`);
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (doc, picks) => {
      let cur: unknown = doc;
      const parts: string[] = [];
      for (const pick of picks) {
        if (Array.isArray(cur) && cur.length > 0) {
          const i = pick % cur.length;
          parts.push(String(i));
          cur = cur[i];
        } else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.keys(cur).length > 0) {
          const keys = Object.keys(cur);
          const k = keys[pick % keys.length];
          if (k === '#' || k === '') break;
          parts.push(escape(k));
          cur = (cur as Record<string, unknown>)[k];
        } else {
          break;
        }
      }
      if (parts.length === 0) return;
      expect(selectJson(doc, parts.join('.'))).toEqual(cur);
    }), { numRuns: 500 });
  });

  it('glob matching agrees with a regular expression', () => {
    const unit = fc.constantFrom('a', 'b', '*', '?');
    fc.assert(fc.property(fc.string({ unit, maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 10 }), (pattern, text) => {
      const re = new RegExp(`^${pattern.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
      expect(globMatch(pattern, text)).toBe(re.test(text));
    }));
  });

  it('json() on arbitrary bytes either parses or throws a clear Error', () => {
    const record = { method: 'GET', url: 'http://x/', headers: [], body: null };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.option(fc.string({ maxLength: 10 })), (bytes, selector) => {
      const res = new K6Response({
        status: 200, statusText: '200 OK', url: 'http://x/', remoteIp: '', remotePort: 0, tlsVersion: '', tlsCipherSuite: '',
        error: '', errorCode: 0, rawHeaders: [], chunks: [Buffer.from(bytes)], size: bytes.length, responseType: 'text',
        request: record, timings: { blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
      });
      if (selector !== null) {
        res.json(selector);
        return;
      }
      try {
        res.json();
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/^cannot parse json/);
      }
    }), { numRuns: 500 });
  });
});

describe('form bodies', () => {
  it('round-trip through a URL query parser', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 });
    fc.assert(fc.property(fc.dictionary(key, fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }))), (data) => {
      const parsed = new URLSearchParams(encodeForm(data));
      const wellFormed = (s: string) => s.replace(/[\uD800-\uDFFF]/g, '\uFFFD');
      for (const k of Object.keys(data)) {
        const v = data[k];
        const expected = (Array.isArray(v) ? v : [v]).map((x) => Buffer.from(x).toString());
        expect(parsed.getAll(Buffer.from(k).toString()).map(wellFormed)).toEqual(expected.map(wellFormed));
      }
    }));
  });
});
