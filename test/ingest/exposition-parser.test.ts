import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseExposition, type ExpositionFormat } from '../../src/ingest/exposition-parser.ts';
import { writeExposition, type WriterFamily } from '../../src/ingest/exposition-writer.ts';
import { formatForContentType } from '../../src/ingest/content-type.ts';
import { TelltaleError } from '../../src/errors.ts';

function errorOf(fn: () => unknown): TelltaleError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    return err as TelltaleError;
  }
  throw new Error('expected an error');
}

describe('text format 0.0.4', () => {
  it('reads counters, gauges, histograms, summaries and untyped samples with metadata', () => {
    const body = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# A free comment',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf 3982045',
      '# TYPE rpc histogram',
      'rpc_bucket{le="0.05"} 24054',
      'rpc_bucket{le="+Inf"} 144320',
      'rpc_sum 53423',
      'rpc_count 144320',
      '# TYPE lat summary',
      'lat{quantile="0.5"} NaN',
      'lat_sum 1.7560473e+07',
      'lat_count 2693',
      'indented{a="1",} 1',
      'nolabels{} -Inf',
    ].join('\n');
    const { samples, metadata } = parseExposition(body, 'prometheus-text');
    expect(samples).toHaveLength(14);
    expect(samples[0]).toEqual({ name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000, line: 3 });
    expect(samples[2].labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(samples[4]).toMatchObject({ value: Infinity, timestamp: 3982045 });
    expect(samples[9].value).toBeNaN();
    expect(samples[12]).toMatchObject({ name: 'indented', labels: { a: '1' } });
    expect(samples[13].value).toBe(-Infinity);
    expect(metadata.get('http_requests_total')).toEqual({ help: 'The total number of HTTP requests.', type: 'counter' });
    expect(metadata.get('rpc')?.type).toBe('histogram');
  });

  it('names the line and the problem', () => {
    expect(errorOf(() => parseExposition('ok 1\nbad{a="1" 2\n', 'prometheus-text')).message).toMatch(/^line 2: expected "," or "}"/);
    expect(errorOf(() => parseExposition('a 1\nb x\n', 'prometheus-text')).line).toBe(2);
    expect(errorOf(() => parseExposition('# TYPE a countr\n', 'prometheus-text')).message).toMatch(/invalid metric type/);
    expect(errorOf(() => parseExposition('a{b="1",b="2"} 1', 'prometheus-text')).message).toMatch(/duplicate label name b/);
    expect(errorOf(() => parseExposition('a 1 1.5', 'prometheus-text')).message).toMatch(/invalid timestamp/);
    expect(errorOf(() => parseExposition('a 1 2 3', 'prometheus-text')).message).toMatch(/after the timestamp/);
    expect(errorOf(() => parseExposition('a{b="1} 1', 'prometheus-text')).message).toMatch(/unterminated/);
    expect(errorOf(() => parseExposition('1a 1', 'prometheus-text')).message).toMatch(/expected a metric name/);
    expect(errorOf(() => parseExposition('a 1 # {} 1', 'prometheus-text')).message).toMatch(/exemplars need OpenMetrics/);
    // what the real Prometheus 2.42 refuses too (test/ingest/prometheus-compat.test.ts)
    expect(errorOf(() => parseExposition('  a 1', 'prometheus-text')).message).toMatch(/unexpected whitespace/);
    expect(errorOf(() => parseExposition('a 1 -1', 'prometheus-text')).message).toMatch(/invalid timestamp/);
    expect(errorOf(() => parseExposition('# TYPE a COUNTER', 'prometheus-text')).message).toMatch(/invalid metric type/);
    expect(errorOf(() => parseExposition('# TYPE a counter ', 'prometheus-text')).message).toMatch(/invalid metric type/);
    expect(parseExposition('   \na{ b = "1" , } 2', 'prometheus-text').samples[0].labels).toEqual({ b: '1' });
  });

  it('keeps repeated series as repeated samples (the scrape loop decides which wins)', () => {
    expect(parseExposition('a 1\na 2\n', 'prometheus-text').samples.map((s) => s.value)).toEqual([1, 2]);
  });
});

describe('OpenMetrics 1.0', () => {
  const body = [
    '# TYPE acme_http_router_request_seconds summary',
    '# UNIT acme_http_router_request_seconds seconds',
    '# HELP acme_http_router_request_seconds Latency though all of ACME\'s "HTTP" request router.',
    'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
    'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
    'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
    '# TYPE go_goroutines gauge',
    'go_goroutines 69 1605281325.123',
    '# TYPE foo counter',
    'foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67',
    'foo_created 1520430000.123',
    '# TYPE h histogram',
    'h_bucket{le="1"} 0 # {a="b"} 0.5 1520879607.7',
    'h_bucket{le="+Inf"} 3',
    'h_count 3',
    'h_created 1520430000',
    '# TYPE i info',
    'i_info{version="1"} 1',
    '# EOF',
    '',
  ].join('\n');

  it('reads families, seconds timestamps and exemplars; skips _created by default', () => {
    const { samples, metadata } = parseExposition(body, 'openmetrics');
    expect(samples.map((s) => s.name)).toEqual([
      'acme_http_router_request_seconds_sum', 'acme_http_router_request_seconds_count', 'go_goroutines', 'foo_total',
      'h_bucket', 'h_bucket', 'h_count', 'i_info',
    ]);
    expect(samples[2].timestamp).toBe(1605281325123);
    expect(samples[3]).toMatchObject({ value: 17, timestamp: 1520879607789 });
    expect(metadata.get('acme_http_router_request_seconds')).toEqual({
      type: 'summary', unit: 'seconds', help: 'Latency though all of ACME\'s "HTTP" request router.',
    });
  });

  it('keeps _created series when asked', () => {
    const { samples } = parseExposition(body, 'openmetrics', { keepCreatedSeries: true });
    expect(samples.filter((s) => s.name.endsWith('_created')).map((s) => s.value)).toEqual([1605281325, 1520430000.123, 1520430000]);
  });

  it('is strict where the format is', () => {
    expect(errorOf(() => parseExposition('a 1\n', 'openmetrics')).message).toMatch(/does not end with "# EOF"/);
    expect(errorOf(() => parseExposition('# EOF\na 1\n', 'openmetrics')).message).toMatch(/^line 2: unexpected data after "# EOF"/);
    expect(errorOf(() => parseExposition('a  1\n# EOF\n', 'openmetrics')).message).toMatch(/more than one space/);
    expect(errorOf(() => parseExposition('\n# EOF\n', 'openmetrics')).message).toMatch(/empty line/);
    expect(errorOf(() => parseExposition('# comment\n# EOF\n', 'openmetrics')).message).toMatch(/expected "# HELP"/);
    expect(errorOf(() => parseExposition('# UNIT a_seconds bytes\n# EOF\n', 'openmetrics')).message).toMatch(/not a suffix/);
    expect(errorOf(() => parseExposition('a 1 NaN\n# EOF\n', 'openmetrics')).message).toMatch(/invalid timestamp/);
    expect(errorOf(() => parseExposition('a 1 # {x="y"}\n# EOF\n', 'openmetrics')).message).toMatch(/exemplar value/);
    expect(errorOf(() => parseExposition('a{b="1",} 1\n# EOF\n', 'openmetrics')).message).toMatch(/no trailing comma/);
    expect(parseExposition('a{b="x\\ty"} 1\n# EOF\n', 'openmetrics').samples[0].labels.b).toBe('x\\ty');
  });
});

describe('content negotiation', () => {
  it('chooses the parser from Content-Type, falling back to the text format', () => {
    expect(formatForContentType('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe('openmetrics');
    expect(formatForContentType('text/plain; version=0.0.4')).toBe('prometheus-text');
    expect(formatForContentType('application/json')).toBe('prometheus-text');
    expect(formatForContentType(undefined)).toBe('prometheus-text');
  });
});

const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
const labelName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,8}$/);
const labelValue = fc.string({ unit: 'grapheme', maxLength: 12 });
const value = fc.oneof(fc.double(), fc.integer().map((n) => n));

function families(format: ExpositionFormat) {
  const ts = format === 'openmetrics' ? fc.integer({ min: 0, max: 4_000_000_000_000 }) : fc.integer({ min: 0, max: 1e15 });
  const sample = fc.record({
    name: metricName,
    labels: fc.dictionary(labelName, labelValue, { maxKeys: 4 }),
    value,
    timestamp: fc.option(ts, { nil: undefined }),
  });
  return fc.array(
    fc.record({
      name: metricName,
      type: fc.constantFrom('gauge' as const, 'untyped' as const, undefined),
      help: fc.option(fc.string({ maxLength: 20 }).filter((h) => !h.includes('\r')), { nil: undefined }),
      samples: fc.array(sample, { maxLength: 4 }),
    }),
    { maxLength: 5 },
  );
}

describe('property: writer → parser round trip', () => {
  for (const format of ['prometheus-text', 'openmetrics'] as const) {
    it(format, () => {
      fc.assert(
        fc.property(families(format), (fams) => {
          const normalized: WriterFamily[] = fams.map((f) => ({
            ...f,
            type: format === 'openmetrics' && f.type === 'untyped' ? 'unknown' : f.type,
            help: format === 'openmetrics' ? f.help : f.help?.replace(/^[ \t]+/, ''),
          }));
          const parsed = parseExposition(writeExposition(normalized, format), format);
          const expected = normalized.flatMap((f) => f.samples);
          expect(parsed.samples).toHaveLength(expected.length);
          parsed.samples.forEach((s, i) => {
            expect(s.name).toBe(expected[i].name);
            expect(s.labels).toEqual(expected[i].labels);
            expect(Object.is(s.value, expected[i].value) || (Number.isNaN(s.value) && Number.isNaN(expected[i].value)) || s.value === expected[i].value).toBe(true);
            if (expected[i].timestamp === undefined) expect(s.timestamp).toBeUndefined();
            else expect(Math.abs(s.timestamp! - expected[i].timestamp!)).toBeLessThanOrEqual(format === 'openmetrics' ? 1 : 0);
          });
          for (const f of normalized) if (f.help !== undefined && f.type !== undefined) expect(parsed.metadata.get(f.name)?.help).toBeDefined();
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('property: garbage never crashes the parser', () => {
  const garbage = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.constantFrom('a', '{', '}', '"', '\\', '=', ',', ' ', '\t', '\n', '#', ' EOF', '1', 'NaN', '+Inf', 'e', '.', 'TYPE', 'HELP', 'x_created', '_total'), { maxLength: 60 }).map((xs) => xs.join('')),
  );
  for (const format of ['prometheus-text', 'openmetrics'] as const) {
    it(format, () => {
      fc.assert(
        fc.property(garbage, (body) => {
          try {
            const out = parseExposition(body, format);
            for (const s of out.samples) expect(typeof s.value).toBe('number');
          } catch (err) {
            expect(err).toBeInstanceOf(TelltaleError);
            expect((err as TelltaleError).code).toBe('TT_INGEST_INVALID');
            expect((err as TelltaleError).line).toBeGreaterThanOrEqual(0);
            expect((err as TelltaleError).message).toMatch(/^line \d+: /);
          }
        }),
        { numRuns: 2000 },
      );
    });
  }
});
