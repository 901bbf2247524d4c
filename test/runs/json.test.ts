import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { parseRecord, serializeRecord, validateRecord } from '../../src/runs/json.ts';
import { serializeTrend, trendProblem } from '../../src/runs/histogram-codec.ts';
import { openStore, type RunStore } from '../../src/store/index.ts';
import { sampleRecord } from './helpers.ts';

const base = sampleRecord({ seconds: 3, endpoints: 2, nonFinite: true });
const text = serializeRecord(base);
const value = JSON.parse(text) as unknown;

/** Every path into a JSON value. */
function pathsOf(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out);
  return out;
}
const PATHS = pathsOf(value).filter((p) => p.length > 0);

function withReplaced(v: unknown, path: (string | number)[], replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(at)) at.splice(last as number, 1);
    else delete at[last];
  } else {
    at[last] = replacement;
  }
  return copy;
}

/** Either a clear TT_RECORD_INVALID, or a record that is valid as a whole (it re-validates to the same bytes). */
function parseOutcome(run: () => ReturnType<typeof parseRecord>): 'rejected' | 'accepted' {
  try {
    const r = run();
    expect(serializeRecord(validateRecord(JSON.parse(serializeRecord(r)), 're-check'))).toBe(serializeRecord(r));
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    expect((err as TelltaleError).code).toBe('TT_RECORD_INVALID');
    expect((err as TelltaleError).file).toBe('run.json');
    return 'rejected';
  }
}

describe('run record JSON', () => {
  it('round-trips a record to the same bytes', () => {
    expect(serializeRecord(parseRecord(text, 'run.json'))).toBe(text);
    expect(parseRecord(text, 'run.json')).toEqual(base);
  });

  it('rejects every truncation of a record file', () => {
    const body = text.trimEnd();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: body.length - 1 }), (cut) => {
        expect(parseOutcome(() => parseRecord(body.slice(0, cut), 'run.json'))).toBe('rejected');
      }),
      { seed: 41, numRuns: 300 },
    );
  });

  it('rejects arbitrary JSON with a clear error, never a crash', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(parseOutcome(() => parseRecord(JSON.stringify(v) ?? '', 'run.json'))).toBe('rejected');
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('rejects a record with any one field replaced by a wrong value or removed, or accepts it whole', () => {
    fc.assert(
      fc.property(fc.nat({ max: PATHS.length - 1 }), fc.jsonValue({ maxDepth: 2 }), fc.boolean(), (i, replacement, remove) => {
        const mutated = withReplaced(value, PATHS[i], replacement, remove);
        parseOutcome(() => parseRecord(JSON.stringify(mutated), 'run.json'));
      }),
      { seed: 43, numRuns: 400 },
    );
  });

  it('rejects byte-level damage anywhere in the file, or accepts a record that is valid whole', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: text.length - 1 }), fc.integer({ min: 32, max: 126 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const chars = [...text];
        for (const [at, code] of edits) chars[at] = String.fromCharCode(code);
        parseOutcome(() => parseRecord(chars.join(''), 'run.json'));
      }),
      { seed: 44, numRuns: 400 },
    );
  });

  it('names the file and the first bad field', () => {
    const bad = withReplaced(value, ['endpoints', 1, 'series', 'p95'], [1, 2], false);
    let err: TelltaleError | undefined;
    try {
      parseRecord(JSON.stringify(bad), 'artifacts/run.json');
    } catch (e) {
      err = e as TelltaleError;
    }
    expect(err?.code).toBe('TT_RECORD_INVALID');
    expect(err?.format()).toMatch(/^artifacts\/run\.json: run record endpoints\[1\]\.series\.p95: has 2 entries, but series\.time has 3/);
    expect(err?.field).toBe('endpoints[1].series.p95');
  });

  it('explains empty files, foreign JSON and records from a newer Telltale', () => {
    expect(() => parseRecord('', 'x.json')).toThrow(/not valid JSON: the file is empty/);
    expect(() => parseRecord('{"metrics":{}}', 'x.json')).toThrow(/not a Telltale run record/);
    expect(() => parseRecord(JSON.stringify({ ...(value as object), version: 9 }), 'x.json')).toThrow(/newer Telltale \(record version 9/);
  });

  it('checks histograms bucket by bucket: counts, truncated varints, indexes out of range', () => {
    const good = serializeTrend({ type: 'trend', n: 3, sum: 6, min: 1, max: 3, hist: { tiers: [null, null, new Uint8Array([10, 1, 5, 2]), null] } });
    expect(trendProblem(good)).toBeUndefined();
    expect(trendProblem({ ...good, n: 4 })?.message).toMatch(/holds 3 values but n is 4/);
    const tier = (bytes: number[]) => ({ ...good, hist: [null, null, Buffer.from(bytes).toString('base64'), null] });
    expect(trendProblem(tier([10, 1, 5]))?.message).toBe('truncated bucket count');
    expect(trendProblem(tier([10, 0x83]))?.message).toBe('truncated bucket count');
    expect(trendProblem(tier([0xff, 0xff, 0xff, 0x7f, 1]))?.message).toMatch(/out of range/);
    expect(trendProblem(tier([1, 0]))?.message).toBe('bucket with a zero count');
    expect(trendProblem({ ...good, hist: [null, null, '***', null] })?.message).toBe('not base64');
    expect(trendProblem({ ...good, hist: [null, null] })?.message).toMatch(/expected 4 tiers/);
  });
});

describe('importing hostile records into a store', () => {
  let store: RunStore;
  beforeAll(async () => {
    store = await openStore({ spec: ':memory:' });
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores a mutated record whole or not at all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: PATHS.length - 1 }), fc.jsonValue({ maxDepth: 1 }), fc.boolean(), async (i, replacement, remove) => {
        const mutated = withReplaced(value, PATHS[i], replacement, remove) as Record<string, unknown>;
        const id = `m-${i}-${Math.random().toString(36).slice(2, 10)}`;
        if (mutated !== null && typeof mutated === 'object' && !Array.isArray(mutated)) mutated.id = id;
        let parsed;
        try {
          parsed = parseRecord(JSON.stringify(mutated), 'run.json');
        } catch (err) {
          expect((err as TelltaleError).code).toBe('TT_RECORD_INVALID');
          expect(await store.getRun(id)).toBeUndefined();
          return;
        }
        await store.saveRun(parsed);
        expect(serializeRecord((await store.getRun(parsed.id))!)).toBe(serializeRecord(parsed));
      }),
      { seed: 45, numRuns: 150 },
    );
  });
});
