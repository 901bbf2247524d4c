import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/load/clock.ts';
import { parseScrapeConfig } from '../../src/ingest/scrape-config.ts';
import { jobTargets } from '../../src/ingest/scrape-targets.ts';
import { ScrapeLoop, mergeTargetLabels, type HttpGet, type HttpResponse } from '../../src/ingest/scrape-loop.ts';
import { ScrapeManager, firstScrapeTime } from '../../src/ingest/scrape-manager.ts';
import { isStaleNaN } from '../../src/series/types.ts';
import { MemoryStorage } from './storage-double.ts';

function text(body: string, contentType = 'text/plain; version=0.0.4'): HttpResponse {
  return { status: 200, statusText: 'OK', contentType, body: Buffer.from(body) };
}

function setup(job: Record<string, unknown>, responses: (HttpResponse | Error)[]) {
  const cfg = parseScrapeConfig({ scrape_configs: [{ job_name: 'app', scrape_interval: '10s', static_configs: [{ targets: ['host:9100'] }], ...job }] });
  const seen: { url: string; headers: Record<string, string> }[] = [];
  const http: HttpGet = async (url, headers) => {
    seen.push({ url, headers });
    const next = responses.shift();
    if (!next) throw new Error('no response left');
    if (next instanceof Error) throw next;
    return next;
  };
  const storage = new MemoryStorage();
  const clock = new FakeClock(1_700_000_000_000);
  const loop = new ScrapeLoop({ target: jobTargets(cfg.scrapeConfigs[0])[0], job: cfg.scrapeConfigs[0], storage, clock, http });
  return { storage, clock, loop, seen };
}

const target = { job: 'app', instance: 'host:9100' };

describe('scrape loop', () => {
  it('writes samples with target labels, the scrape time and the report series; negotiates the format', async () => {
    const { storage, loop, seen } = setup({}, [text('# TYPE a counter\na_total{x="1"} 5\nb 2 1699999999000\n')]);
    const r = await loop.scrape();
    expect(r).toMatchObject({ up: true, samplesScraped: 2, samplesPostRelabel: 2, seriesAdded: 2 });
    expect(storage.get({ __name__: 'a_total', x: '1', ...target })).toEqual([{ t: 1_700_000_000_000, v: 5 }]);
    expect(storage.get({ __name__: 'b', ...target })).toEqual([{ t: 1_699_999_999_000, v: 2 }]);
    expect(storage.get({ __name__: 'up', ...target })).toEqual([{ t: 1_700_000_000_000, v: 1 }]);
    expect(storage.get({ __name__: 'scrape_samples_scraped', ...target })?.[0].v).toBe(2);
    expect(storage.get({ __name__: 'scrape_series_added', ...target })?.[0].v).toBe(2);
    expect(seen[0].url).toBe('http://host:9100/metrics');
    expect(seen[0].headers.Accept).toMatch(/^application\/openmetrics-text;version=1.0.0/);
    expect(seen[0].headers['X-Prometheus-Scrape-Timeout-Seconds']).toBe('10');
  });

  it('marks vanished series stale, but not series with explicit timestamps', async () => {
    const { storage, clock, loop } = setup({}, [text('a 1\nb 2\nc 3 1699999999000\n'), text('a 1\n')]);
    await loop.scrape();
    await clock.advance(10_000);
    const r = await loop.scrape();
    expect(r.staleMarkers).toBe(1);
    expect(r.seriesAdded).toBe(0);
    const b = storage.get({ __name__: 'b', ...target })!;
    expect(b).toHaveLength(2);
    expect(isStaleNaN(b[1].v)).toBe(true);
    expect(storage.get({ __name__: 'c', ...target })).toHaveLength(1);
  });

  it('fails the whole scrape on a parse error: rolls back, marks the previous series stale, up=0', async () => {
    const { storage, clock, loop } = setup({}, [text('a 1\n'), text('a 2\nbroken{ 3\n')]);
    await loop.scrape();
    await clock.advance(10_000);
    const r = await loop.scrape();
    expect(r.up).toBe(false);
    expect(r.error).toMatch(/^line 2: /);
    const a = storage.get({ __name__: 'a', ...target })!;
    expect(a.map((s) => s.v)[0]).toBe(1);
    expect(isStaleNaN(a[1].v)).toBe(true);
    expect(storage.get({ __name__: 'up', ...target })!.map((s) => s.v)).toEqual([1, 0]);
  });

  it('marks everything stale when the target is down, and reports the HTTP status', async () => {
    const { storage, clock, loop } = setup({}, [text('a 1\n'), { status: 503, statusText: 'Service Unavailable', contentType: null, body: new Uint8Array() }, new Error('connect ECONNREFUSED')]);
    await loop.scrape();
    await clock.advance(10_000);
    expect((await loop.scrape()).error).toBe('server returned HTTP status 503 Service Unavailable');
    await clock.advance(10_000);
    expect((await loop.scrape()).error).toBe('connect ECONNREFUSED');
    expect(storage.get({ __name__: 'a', ...target })).toHaveLength(2);
  });

  it('counts refused and repeated samples and keeps the rest', async () => {
    const { storage, clock, loop } = setup({}, [text('a 1 1699999999000\n'), text('a 2 1699999998000\nb 1\nb 2\nc 3\n')]);
    await loop.scrape();
    await clock.advance(10_000);
    const r = await loop.scrape();
    expect(r.up).toBe(true);
    expect(r.rejected).toMatchObject({ out_of_order: 1, duplicate_sample: 1 });
    expect(storage.get({ __name__: 'b', ...target })).toEqual([{ t: 1_700_000_010_000, v: 1 }]);
    expect(storage.get({ __name__: 'c', ...target })).toHaveLength(1);
  });

  it('renames clashing labels exported_*, or honours them', () => {
    expect(mergeTargetLabels({ __name__: 'x', job: 'pushed', instance: 'i' }, { job: 'app', instance: 'h' }, false)).toEqual({
      __name__: 'x', job: 'app', instance: 'h', exported_job: 'pushed', exported_instance: 'i',
    });
    expect(mergeTargetLabels({ __name__: 'x', job: 'j', exported_job: 'e' }, { job: 'app' }, false)).toMatchObject({ exported_exported_job: 'j' });
    expect(mergeTargetLabels({ __name__: 'x', job: 'pushed' }, { job: 'app', instance: 'h' }, true)).toEqual({ __name__: 'x', job: 'pushed', instance: 'h' });
  });

  it('applies metric_relabel_configs and the sample limit', async () => {
    const { storage, loop } = setup(
      { metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }], sample_limit: 2 },
      [text('go_gc 1\nkeep 2\nkeep2 3\n'), text('a 1\nb 2\nc 3\n')],
    );
    const r = await loop.scrape();
    expect(r).toMatchObject({ samplesScraped: 3, samplesPostRelabel: 2 });
    expect(storage.find('go_gc')).toHaveLength(0);
    const limited = await loop.scrape();
    expect(limited).toMatchObject({ up: false, error: 'sample limit exceeded: more than 2 samples after metric relabelling' });
  });

  it('reads OpenMetrics when the target announces it, skipping _created', async () => {
    const { storage, loop } = setup({}, [text('# TYPE c counter\nc_total 3 1699999999.5\nc_created 1600000000\n# EOF\n', 'application/openmetrics-text; version=1.0.0')]);
    await loop.scrape();
    expect(storage.get({ __name__: 'c_total', ...target })).toEqual([{ t: 1_699_999_999_500, v: 3 }]);
    expect(storage.find('c_created')).toHaveLength(0);
  });
});

describe('scrape manager', () => {
  it('scrapes each target on its offset every interval and marks series stale when the target goes away', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock(1_700_000_000_000);
    let n = 0;
    const http: HttpGet = async () => text(`a ${++n}\n`);
    const manager = new ScrapeManager({ storage, clock, http, offsetSeed: 7 });
    const cfg = parseScrapeConfig({ scrape_configs: [{ job_name: 'app', scrape_interval: '10s', static_configs: [{ targets: ['host:9100'] }] }] });
    await manager.apply(cfg);
    const first = firstScrapeTime(1_700_000_000_000, 10_000, jobTargets(cfg.scrapeConfigs[0])[0].key, 7);
    await clock.advance(35_000);
    const times = storage.get({ __name__: 'a', ...target })!.map((s) => s.t);
    expect(times[0]).toBe(first);
    expect(times.every((t, i) => i === 0 || t - times[i - 1] === 10_000)).toBe(true);
    expect(times.length).toBeGreaterThanOrEqual(3);
    await manager.apply(parseScrapeConfig({ scrape_configs: [] }));
    const a = storage.get({ __name__: 'a', ...target })!;
    expect(isStaleNaN(a[a.length - 1].v)).toBe(true);
    const up = storage.get({ __name__: 'up', ...target })!;
    expect(isStaleNaN(up[up.length - 1].v)).toBe(true);
    expect(manager.targets()).toHaveLength(0);
  });

  it('spreads targets over the interval', () => {
    const offsets = new Set(['a:1', 'b:1', 'c:1', 'd:1'].map((k) => firstScrapeTime(0, 60_000, k, 1)));
    expect(offsets.size).toBe(4);
    for (const o of offsets) expect(o).toBeLessThan(60_000);
  });
});
