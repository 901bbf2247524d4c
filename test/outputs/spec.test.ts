import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { parseOutputSpecs, SUPPORTED_OUTPUTS } from '../../src/load/outputs/index.ts';

function error(values: string[]): TelltaleError {
  try {
    parseOutputSpecs(values);
  } catch (e) {
    expect(e).toBeInstanceOf(TelltaleError);
    return e as TelltaleError;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be rejected`);
}

describe('parseOutputSpecs (-o/--out)', () => {
  it('reads json, json.gz, csv and html targets', () => {
    expect(parseOutputSpecs(['json=out/results.json', 'json=r.gz', 'csv=samples.csv', 'html=report.html'])).toEqual([
      { kind: 'json', path: 'out/results.json', gzip: false, raw: 'json=out/results.json' },
      { kind: 'json', path: 'r.gz', gzip: true, raw: 'json=r.gz' },
      { kind: 'csv', path: 'samples.csv', gzip: false, raw: 'csv=samples.csv' },
      { kind: 'html', path: 'report.html', gzip: false, raw: 'html=report.html' },
    ]);
  });

  it('follows k6 for bare kinds: json to stdout, csv to file.csv', () => {
    expect(parseOutputSpecs(['json'])[0]).toMatchObject({ kind: 'json', path: '-' });
    expect(parseOutputSpecs(['json=-'])[0]).toMatchObject({ kind: 'json', path: '-' });
    expect(parseOutputSpecs(['csv'])[0]).toMatchObject({ kind: 'csv', path: 'file.csv' });
  });

  it('splits at the first = only, so file names may contain =', () => {
    expect(parseOutputSpecs(['json=a=b.json'])[0].path).toBe('a=b.json');
  });

  it('accepts k6\'s key=value csv form', () => {
    expect(parseOutputSpecs(['csv=fileName=x.csv.gz,timeFormat=rfc3339_nano,saveInterval=2s'])[0]).toEqual({
      kind: 'csv',
      path: 'x.csv.gz',
      gzip: true,
      timeFormat: 'rfc3339_nano',
      saveIntervalMs: 2000,
      raw: 'csv=fileName=x.csv.gz,timeFormat=rfc3339_nano,saveInterval=2s',
    });
    expect(error(['csv=timeFormat=iso']).message).toContain('timeFormat');
    expect(error(['csv=fileName=']).message).toContain('no value');
    expect(error(['csv=color=red']).message).toContain('unknown csv option');
  });

  it('rejects empty file names and an html output without a file', () => {
    for (const v of ['json=', 'csv=', 'html=', 'html']) {
      const e = error([v]);
      expect(e.code).toBe('TT_OUTPUT_INVALID');
      expect(e.message).toContain(JSON.stringify(v));
    }
  });

  it('rejects k6-only and unknown outputs, naming the value and the supported kinds', () => {
    for (const v of ['influxdb=http://localhost:8086/k6', 'cloud', 'experimental-prometheus-rw', 'prometheus=x', '=x', '']) {
      const e = error([v]);
      expect(e.code).toBe('TT_OUTPUT_INVALID');
      expect(e.exitCode).toBe(104);
      expect(e.message).toContain(JSON.stringify(v));
      expect(e.message).toContain('json=FILE, csv=FILE, html=FILE');
    }
    expect(error(['influxdb=http://x']).message).toContain('not available in Telltale');
  });

  it('rejects two outputs writing the same file', () => {
    expect(error(['json=a.json', 'html=a.json']).message).toContain('already written');
    expect(parseOutputSpecs(['json', 'csv=-'])).toHaveLength(2);
  });

  it('never crashes on hostile input: parses or throws TT_OUTPUT_INVALID', () => {
    const kindish = fc.constantFrom('json', 'csv', 'html', 'json=', 'csv=', 'html=', 'csv=fileName=', 'csv=timeFormat=', 'cloud=', '');
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.tuple(kindish, fc.string()).map(([k, s]) => k + s),
      fc.tuple(kindish, fc.string({ unit: 'binary' })).map(([k, s]) => k + s),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 5 }), (values) => {
        let specs;
        try {
          specs = parseOutputSpecs(values);
        } catch (e) {
          expect(e).toBeInstanceOf(TelltaleError);
          expect((e as TelltaleError).code).toBe('TT_OUTPUT_INVALID');
          return;
        }
        expect(specs).toHaveLength(values.length);
        for (const s of specs) {
          expect(SUPPORTED_OUTPUTS).toContain(s.kind);
          expect(s.path.length).toBeGreaterThan(0);
          expect(s.path).not.toContain('\0');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects non-string values with TT_OUTPUT_INVALID', () => {
    expect(() => parseOutputSpecs([42 as unknown as string])).toThrow(TelltaleError);
  });
});
