import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/load/clock.ts';
import type { CheckDefinition } from '../../src/probes/check-types.ts';
import type { CheckResult, ProbeOutcome } from '../../src/probes/result-types.ts';
import { runCheck, type Probe } from '../../src/probes/run-check.ts';
import { offsetOf, Scheduler, slotAtOrAfter } from '../../src/probes/scheduler.ts';
import { verdict } from '../../src/probes/verdict.ts';
import { defineCheck } from './helpers.ts';

const T0 = 1_700_000_000_000; // a multiple of every interval used here

const http = (name: string, extra: Record<string, unknown> = {}) =>
  defineCheck({ name, type: 'http', request: { url: 'http://127.0.0.1:9/' }, interval: '10s', jitter: '0s', ...extra });

/** A probe that takes `ms` on the fake clock and then passes (or does what `outcome` says). */
function timedProbe(clock: FakeClock, ms: number, log: { name: string; at: number }[] = [], outcome?: (def: CheckDefinition, n: number) => 'passed' | 'failed'): Probe {
  let n = 0;
  return async (def, ctx) => {
    log.push({ name: def.name, at: clock.now() });
    const i = ++n;
    if (ms > 0) await clock.sleep(ms, ctx.signal);
    const failed = outcome?.(def, i) === 'failed';
    return verdict(def, { durationMs: ms, assertions: [], ...(failed ? { error: `attempt ${i} failed` } : {}) });
  };
}

function scheduler(clock: FakeClock, probe: Probe, results: CheckResult[], concurrency?: number) {
  return new Scheduler({
    clock,
    concurrency,
    run: (def, signal) => runCheck(def, { clock, elapsed: () => clock.now(), probes: { http: probe } }, signal),
    onResult: (_def, r) => void results.push(r),
  });
}

async function advance(clock: FakeClock, ms: number, step = 500): Promise<void> {
  for (let done = 0; done < ms; done += step) await clock.advance(Math.min(step, ms - done));
}

describe('schedule grid', () => {
  it('gives every check a fixed offset from its name, inside its jitter', () => {
    const a = http('checkout', { jitter: '10s' });
    expect(offsetOf(a)).toBe(offsetOf(http('checkout', { jitter: '10s' })));
    expect(offsetOf(a)).toBeGreaterThanOrEqual(0);
    expect(offsetOf(a)).toBeLessThan(10_000);
    const offsets = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => offsetOf(http(n, { jitter: '10s' }))));
    expect(offsets.size).toBeGreaterThan(3);
    expect(offsetOf(http('checkout'))).toBe(0);
    expect(offsetOf(http('checkout', { interval: '1h', jitter: '30s' }))).toBeLessThan(30_000);
  });

  it('aligns slots to the interval plus the offset', () => {
    expect(slotAtOrAfter(T0, 10_000, 0)).toBe(T0);
    expect(slotAtOrAfter(T0 + 1, 10_000, 0)).toBe(T0 + 10_000);
    expect(slotAtOrAfter(T0 + 1, 10_000, 2500)).toBe(T0 + 2500);
    expect(slotAtOrAfter(T0 + 2501, 10_000, 2500)).toBe(T0 + 12_500);
  });
});

describe('scheduler on a fake clock', () => {
  it('runs each check on its grid', async () => {
    const clock = new FakeClock(T0);
    const results: CheckResult[] = [];
    const s = scheduler(clock, timedProbe(clock, 0), results);
    const jittered = http('jittered', { jitter: '10s' });
    s.add(http('aligned'));
    s.add(jittered);
    s.start();
    await advance(clock, 35_000);
    await s.stop();
    const at = (name: string) => results.filter((r) => r.check === name).map((r) => r.startedAt - T0);
    expect(at('aligned')).toEqual([0, 10_000, 20_000, 30_000]);
    const off = offsetOf(jittered);
    expect(at('jittered')).toEqual([off, off + 10_000, off + 20_000, ...(off + 30_000 <= 35_000 ? [off + 30_000] : [])]);
    expect(clock.pending).toBe(0);
  });

  it('never overlaps runs of one check: a slow run skips the slots it covers', async () => {
    const clock = new FakeClock(T0);
    const results: CheckResult[] = [];
    const log: { name: string; at: number }[] = [];
    const s = scheduler(clock, timedProbe(clock, 25_000, log), results);
    s.add(http('slow', { timeout: '10s', interval: '30s' }));
    s.add(http('slower', { timeout: '10s' }));
    // Timeouts stop runs at 10s, so make one that outlasts the interval through its retries.
    await s.setChecks([http('slower', { timeout: '8s', retries: 2 })]);
    s.start();
    await advance(clock, 1000);
    expect(s.schedule('slower')!.running).toBe(true);
    // A manual run while one is in flight joins it instead of starting another.
    const joined = s.runNow('slower');
    await advance(clock, 30_000);
    const r = await joined;
    expect(r!.attempts).toBe(3);
    expect(r!.error).toBe('timed out after 8000ms');
    // 3 attempts of 8s: the run ends at 24s, so slots 10s and 20s were skipped and the next is at 30s.
    expect(log.map((l) => l.at - T0)).toEqual([0, 8000, 16_000, 30_000]);
    expect(s.schedule('slower')).toMatchObject({ skipped: 2, runs: 1 });
    await s.stop();
  });

  it('keeps at most `concurrency` runs in flight, in due order', async () => {
    const clock = new FakeClock(T0);
    const results: CheckResult[] = [];
    const log: { name: string; at: number }[] = [];
    let inFlight = 0;
    let peak = 0;
    const inner = timedProbe(clock, 2000, log);
    const counting: Probe = async (def, ctx) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await inner(def, ctx);
      } finally {
        inFlight--;
      }
    };
    const s = scheduler(clock, counting, results, 2);
    for (const n of ['a', 'b', 'c', 'd', 'e']) s.add(http(n));
    s.start();
    await advance(clock, 7000);
    await s.stop();
    expect(peak).toBe(2);
    expect(log.map((l) => l.at - T0)).toEqual([0, 0, 2000, 2000, 4000]);
    // A run is stamped when it starts, not when it was due.
    expect(results.map((r) => r.startedAt - T0)).toEqual([0, 0, 2000, 2000, 4000]);
  });

  it('times out a probe that ignores its signal, then retries after retryDelay', async () => {
    const clock = new FakeClock(T0);
    const stuck: Probe = () => new Promise<ProbeOutcome>(() => undefined);
    const def = http('stuck', { timeout: '3s', retries: 2, retryDelay: '1s' });
    let result: CheckResult | undefined;
    void runCheck(def, { clock, elapsed: () => clock.now(), probes: { http: stuck } }).then((r) => (result = r));
    await advance(clock, 10_500, 250);
    expect(result).toBeUndefined();
    await advance(clock, 600, 100);
    expect(result).toMatchObject({ status: 'failed', attempts: 3, error: 'timed out after 3000ms', startedAt: T0 });
    expect(result!.durationMs).toBe(3000);
  });

  it('a retry that passes makes the run pass', async () => {
    const clock = new FakeClock(T0);
    const probe = timedProbe(clock, 100, [], (_d, n) => (n === 1 ? 'failed' : 'passed'));
    const p = runCheck(http('flaky', { retries: 1 }), { clock, elapsed: () => clock.now(), probes: { http: probe } });
    await advance(clock, 1000, 50);
    expect(await p).toMatchObject({ status: 'passed', attempts: 2 });
  });

  it('a probe that throws is a failed run, not a crash', async () => {
    const clock = new FakeClock(T0);
    const r = await runCheck(http('boom'), { clock, probes: { http: () => { throw new Error('probe bug'); } } });
    expect(r).toMatchObject({ status: 'failed', error: 'probe bug', attempts: 1 });
  });

  it('stop aborts runs in flight; setChecks keeps unchanged checks and reports removed ones', async () => {
    const clock = new FakeClock(T0);
    const results: CheckResult[] = [];
    const removed: string[] = [];
    const s = new Scheduler({
      clock,
      run: (def, signal) => runCheck(def, { clock, elapsed: () => clock.now(), probes: { http: timedProbe(clock, 1000) } }, signal),
      onResult: (_d, r) => void results.push(r),
      onRemove: (def, last) => void removed.push(`${def.name}:${last?.status ?? 'none'}`),
    });
    await s.setChecks([http('keep'), http('drop'), http('change')]);
    s.start();
    await advance(clock, 2000);
    const before = s.schedule('keep')!;
    await s.setChecks([http('keep'), http('change', { interval: '20s' })]);
    expect(removed.sort()).toEqual(['change:passed', 'drop:passed']);
    expect(s.schedule('keep')!.runs).toBe(before.runs);
    expect(s.checks().map((c) => c.name).sort()).toEqual(['change', 'keep']);
    await advance(clock, 8500);
    expect(s.schedule('keep')!.running).toBe(true);
    await s.stop();
    expect(clock.pending).toBe(0);
    // The run cut short by stop() is not recorded as a failure of the target.
    const kept = results.filter((r) => r.check === 'keep');
    expect(kept.every((r) => r.status === 'passed')).toBe(true);
    expect(kept.map((r) => r.startedAt - T0)).toEqual([0]);
  });

  it('property: runs start on the grid, never overlap, and skip only covered slots', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 60 }), // interval, seconds
        fc.integer({ min: 0, max: 100 }), // jitter, % of the interval
        fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 1, maxLength: 8 }), // run durations, % of the interval
        fc.integer({ min: 1, max: 3 }),
        async (intervalS, jitterPct, durationsPct, concurrency) => {
          const clock = new FakeClock(T0);
          const intervalMs = intervalS * 1000;
          const spans: { name: string; start: number; end: number }[] = [];
          let n = 0;
          const probe: Probe = async (def, ctx) => {
            const start = clock.now();
            const ms = Math.round((durationsPct[n++ % durationsPct.length] / 100) * intervalMs);
            await clock.sleep(ms, ctx.signal).catch(() => undefined);
            spans.push({ name: def.name, start, end: clock.now() });
            return verdict(def, { durationMs: ms, assertions: [] });
          };
          const defs = ['a', 'b'].map((name) => http(name, { interval: `${intervalS}s`, jitter: `${Math.floor((intervalMs * jitterPct) / 100)}ms`, timeout: `${intervalS}s` }));
          const s = new Scheduler({ clock, concurrency, run: (def, signal) => runCheck(def, { clock, elapsed: () => clock.now(), probes: { http: probe } }, signal) });
          for (const d of defs) s.add(d);
          s.start();
          await advance(clock, intervalMs * 6, 1000);
          await s.stop();
          for (const d of defs) {
            const mine = spans.filter((x) => x.name === d.name).sort((x, y) => x.start - y.start);
            expect(mine.length).toBeGreaterThan(0);
            for (let i = 1; i < mine.length; i++) expect(mine[i].start).toBeGreaterThanOrEqual(mine[i - 1].end);
            if (concurrency >= 2) {
              // With a free slot for each check, every run starts exactly on its (epoch-aligned) grid.
              const off = offsetOf(d);
              for (const x of mine) expect((x.start - off) % intervalMs).toBe(0);
            }
          }
          let inFlight = 0;
          const events = spans.flatMap((x) => [{ t: x.start, d: 1 }, { t: x.end, d: -1 }]).sort((x, y) => x.t - y.t || x.d - y.d);
          for (const e of events) {
            inFlight += e.d;
            expect(inFlight).toBeLessThanOrEqual(concurrency);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
