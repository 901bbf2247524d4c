import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { BUILTIN_METRICS } from '../../src/metrics/builtin.ts';
import type { Sample } from '../../src/metrics/types.ts';
import { CSV_HEADER, CsvOutput, NdjsonOutput } from '../../src/load/outputs/index.ts';
import { Rfc3339Clock } from '../../src/load/outputs/time-format.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telltale-out-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);
const getTags = { method: 'GET', name: 'https://api.example.test/items', status: '200', scenario: 'browse', expected_response: 'true', group: '' };
const postTags = { method: 'POST', name: 'https://api.example.test/login', status: '503', scenario: 'browse', expected_response: 'false', group: '::login', vu: '7', iter: '3' };

/** n samples over ~n/100 seconds, three metrics interleaved, tag objects shared as the engine does. */
function samples(n: number, offset = 0): Sample[] {
  const out: Sample[] = [];
  for (let i = offset; i < offset + n; i++) {
    const tags = i % 3 === 0 ? postTags : getTags;
    const t = T0 + i * 10 + (i % 7) * 0.125;
    out.push({ metric: 'http_reqs', time: t, value: 1, tags });
    out.push({ metric: 'http_req_duration', time: t, value: 12.5 + (i % 100) / 7, tags });
    if (i % 10 === 0) out.push({ metric: 'vus', time: t, value: i % 50, tags: {} });
  }
  return out;
}

function readText(file: string): string {
  const raw = fs.readFileSync(file);
  return (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

async function writeNdjson(file: string, batches: Sample[][], thresholds: Record<string, string[]> = {}): Promise<void> {
  const out = NdjsonOutput.open(file);
  out.defineMetrics(BUILTIN_METRICS, thresholds);
  for (const b of batches) out.addSamples(b);
  await out.close();
}

describe('NdjsonOutput (--out json)', () => {
  for (const name of ['plain.json', 'zipped.json.gz']) {
    it(`writes every sample as a Point, each metric declared once before its first Point (${name})`, async () => {
      const file = path.join(dir, name);
      const batches = [samples(1000), samples(1000, 1000), samples(500, 2000)];
      await writeNdjson(file, batches, { http_req_duration: ['p(95)<500'], 'http_req_duration{status:200}': ['p(99)<900'] });
      const text = readText(file);
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
      const declared = new Set<string>();
      const points: { metric: string; data: { time: string; value: number; tags: Record<string, string>; metadata?: Record<string, string> } }[] = [];
      for (const l of lines) {
        if (l.type === 'Metric') {
          expect(declared.has(l.metric)).toBe(false);
          declared.add(l.metric);
          expect(Object.keys(l)).toEqual(['type', 'data', 'metric']);
          expect(Object.keys(l.data)).toEqual(['name', 'type', 'contains', 'thresholds', 'submetrics']);
        } else {
          expect(l.type).toBe('Point');
          expect(declared.has(l.metric)).toBe(true);
          expect(Object.keys(l)).toEqual(['metric', 'type', 'data']);
          expect(l.data.time).toMatch(RFC3339);
          points.push(l);
        }
      }
      const all = batches.flat();
      expect(points.length).toBe(all.length);
      expect(declared).toEqual(new Set(['http_reqs', 'http_req_duration', 'vus']));
      points.forEach((p, i) => {
        expect(p.metric).toBe(all[i].metric);
        expect(p.data.value).toBe(all[i].value);
      });
    });
  }

  it('declares type, contains, threshold expressions and sub-metrics like k6', async () => {
    const file = path.join(dir, 'decl.json');
    await writeNdjson(file, [samples(3)], { http_req_duration: ['p(95)<500'], 'http_req_duration{status:200}': ['p(99)<900'] });
    const lines = readText(file).trimEnd().split('\n');
    expect(lines[0]).toBe(
      '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}',
    );
    const dur = JSON.parse(lines.find((l) => l.includes('"type":"Metric"') && l.includes('"name":"http_req_duration"'))!);
    expect(dur.data).toEqual({
      name: 'http_req_duration',
      type: 'trend',
      contains: 'time',
      thresholds: ['p(95)<500'],
      submetrics: [
        { name: 'http_req_duration{expected_response:true}', suffix: 'expected_response:true', tags: { expected_response: 'true' } },
        { name: 'http_req_duration{status:200}', suffix: 'status:200', tags: { status: '200' } },
      ],
    });
  });

  it('writes tags sorted, vu/iter as metadata, and non-finite values as null', async () => {
    const file = path.join(dir, 'tags.json');
    const out = NdjsonOutput.open(file);
    out.defineMetrics([{ name: 'custom', type: 'gauge', contains: 'default' }], {});
    out.addSamples([
      { metric: 'custom', time: T0, value: NaN, tags: { z: '1', a: '<x>' } },
      { metric: 'custom', time: T0 + 1, value: 2, tags: postTags },
      { metric: 'undeclared', time: T0 + 2, value: 3, tags: {} },
    ]);
    await out.close();
    const lines = readText(file).trimEnd().split('\n');
    expect(lines[1]).toMatch(/^\{"metric":"custom","type":"Point","data":\{"time":"[^"]+","value":null,"tags":\{"a":"<x>","z":"1"\}\}\}$/);
    const p2 = JSON.parse(lines[2]);
    expect(p2.data.tags.vu).toBeUndefined();
    expect(p2.data.metadata).toEqual({ iter: '3', vu: '7' });
    expect(JSON.parse(lines[3]).data).toMatchObject({ name: 'undeclared', type: 'trend' });
    expect(JSON.parse(lines[4]).data.tags).toEqual({});
  });

  it('keeps every sample of a large run through backpressure (gzip)', async () => {
    const file = path.join(dir, 'large.json.gz');
    const out = NdjsonOutput.open(file);
    out.defineMetrics(BUILTIN_METRICS, {});
    let n = 0;
    for (let b = 0; b < 30; b++) {
      const batch = samples(5000, b * 5000);
      n += batch.length;
      out.addSamples(batch);
    }
    await out.close();
    const lines = readText(file).trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('"type":"Point"')).length).toBe(n);
    expect(lines.filter((l) => l.startsWith('{"type":"Metric"')).length).toBe(3);
  });

  it.runIf(fs.existsSync('/dev/full'))('rejects close() with TT_OUTPUT_INVALID when writes fail (disk full)', async () => {
    const out = NdjsonOutput.open('/dev/full');
    out.addSamples(samples(20_000));
    await expect(out.close()).rejects.toMatchObject({ code: 'TT_OUTPUT_INVALID' });
  });

  it('refuses samples after close() instead of dropping them', async () => {
    const out = NdjsonOutput.open(path.join(dir, 'closed.json'));
    await Promise.all([out.close(), out.close()]);
    expect(() => out.addSamples(samples(1))).toThrow(/after the output was closed/);
  });

  it('fails fast with TT_OUTPUT_INVALID when the file cannot be created', () => {
    const bad = path.join(dir, 'missing-dir', 'x.json');
    expect(() => NdjsonOutput.open(bad)).toThrow(TelltaleError);
    try {
      NdjsonOutput.open(bad);
    } catch (e) {
      expect((e as TelltaleError).code).toBe('TT_OUTPUT_INVALID');
      expect((e as Error).message).toContain(bad);
    }
  });
});

describe('RFC 3339 timestamps like Go', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it('prints local time with the offset and trims trailing zeros of the fraction', () => {
    process.env.TZ = 'Europe/Paris';
    const c = new Rfc3339Clock();
    expect(c.format(T0 + 123.456)).toBe('2025-01-15T11:00:00.123456+01:00');
    expect(c.format(T0 + 500)).toBe('2025-01-15T11:00:00.5+01:00');
    expect(c.format(T0)).toBe('2025-01-15T11:00:00+01:00');
    expect(c.format(T0 + 999.9999)).toBe('2025-01-15T11:00:01+01:00');
    expect(c.format(T0 + 123.456, false)).toBe('2025-01-15T11:00:00+01:00');
    process.env.TZ = 'America/St_Johns';
    expect(new Rfc3339Clock().format(T0)).toBe('2025-01-15T06:30:00-03:30');
    process.env.TZ = 'UTC';
    expect(new Rfc3339Clock().format(T0 + 1)).toBe('2025-01-15T10:00:00.001Z');
  });
});

/** Minimal RFC 4180 reader, enough to check quoting round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

describe('CsvOutput (--out csv)', () => {
  it('writes k6\'s header and one row per sample (plain and .gz)', async () => {
    for (const name of ['out.csv', 'out.csv.gz']) {
      const file = path.join(dir, name);
      const out = CsvOutput.open(file);
      out.defineMetrics(BUILTIN_METRICS, {});
      const batch = samples(2000);
      out.addSamples(batch);
      await out.close();
      const text = readText(file);
      const lines = text.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata',
      );
      expect(lines.length - 1).toBe(batch.length);
      expect(lines[1]).toBe(`http_reqs,${T0 / 1000},1.000000,,,,false,::login,POST,https://api.example.test/login,,browse,,503,,,,,iter=3&vu=7`);
      expect(parseCsv(text).every((r) => r.length === CSV_HEADER.length)).toBe(true);
    }
  });

  it('quotes fields like Go\'s encoding/csv and puts unknown tags in extra_tags', async () => {
    const file = path.join(dir, 'quote.csv');
    const out = CsvOutput.open(file);
    const tags = { check: 'body has "ok", really\nyes', url: ' leading space', custom: 'a', team: 'b' };
    out.addSamples([{ metric: 'checks', time: T0 + 1500, value: 0, tags }]);
    await out.close();
    const text = readText(file);
    expect(text.split('\n').slice(1).join('\n')).toBe(
      `checks,${T0 / 1000 + 1},0.000000,"body has ""ok"", really\nyes"${','.repeat(13)}" leading space",custom=a&team=b,\n`,
    );
    const rows = parseCsv(text);
    expect(rows[1][3]).toBe(tags.check);
    expect(rows[1][16]).toBe(tags.url);
  });

  it('supports k6\'s timeFormat values and Go %f values', async () => {
    const t = T0 + 1234.5;
    const cases: [Parameters<typeof CsvOutput.open>[1], string][] = [
      [{ timeFormat: 'unix' }, String(Math.floor(t / 1000))],
      [{ timeFormat: 'unix_milli' }, String(Math.floor(t))],
      [{ timeFormat: 'unix_micro' }, `${Math.floor(t)}500`],
      [{ timeFormat: 'unix_nano' }, `${Math.floor(t)}500000`],
    ];
    for (const [opts, expected] of cases) {
      const file = path.join(dir, `tf-${opts!.timeFormat}.csv`);
      const out = CsvOutput.open(file, opts);
      out.addSamples([{ metric: 'm', time: t, value: Infinity, tags: {} }]);
      await out.close();
      expect(readText(file).split('\n')[1]).toBe(`m,${expected},+Inf,,,,,,,,,,,,,,,,`);
    }
    const file = path.join(dir, 'tf-rfc.csv');
    const out = CsvOutput.open(file, { timeFormat: 'rfc3339_nano' });
    out.addSamples([{ metric: 'm', time: t, value: 0.1234567, tags: {} }]);
    await out.close();
    const row = readText(file).split('\n')[1].split(',');
    expect(row[1]).toMatch(RFC3339);
    expect(row[2]).toBe('0.123457');
  });
});
