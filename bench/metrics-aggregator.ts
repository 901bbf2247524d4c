/**
 * Throughput of Aggregator.add() with the samples of realistic HTTP requests (11 samples per request,
 * k6's system tags) and two threshold sub-metric selectors, plus the cost and size of a flush and of
 * merging the deltas. Run: node bench/metrics-aggregator.ts
 */
import { encodeIntoCompressedBase64, Int32Histogram } from 'hdr-histogram-js';
import { Aggregator, MergedResult, MetricRegistry, parseMetricKey } from '../src/metrics/index.ts';
import type { Sample, Tags } from '../src/metrics/index.ts';

const REQUESTS = 200_000;
const REQS_PER_SECOND = 20_000;
const ROUNDS = 5;

const registry = new MetricRegistry();
const selectors = [parseMetricKey('http_req_duration{status:200}'), parseMetricKey('http_req_duration{name:login}')];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * `sharedTags`: producers hand one tags object per distinct tag set (cached per URL/status); otherwise
 * every request gets a fresh tags object, shared only by its own samples.
 */
function makeSamples(sharedTags: boolean): Sample[] {
  const rnd = lcg(42);
  const names = ['login', 'home', 'search', 'cart', 'checkout'];
  const pool = new Map<string, Tags>();
  const tagsFor = (name: string, status: string): Tags => {
    const make = (): Tags => ({
      proto: 'HTTP/1.1',
      scenario: 'default',
      group: '',
      method: name === 'login' ? 'POST' : 'GET',
      name,
      url: `http://localhost:8080/${name}`,
      status,
      expected_response: status === '200' ? 'true' : 'false',
    });
    if (!sharedTags) return make();
    const k = `${name} ${status}`;
    let t = pool.get(k);
    if (!t) pool.set(k, (t = make()));
    return t;
  };
  const out: Sample[] = [];
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < REQUESTS; i++) {
    const time = t0 + (i * 1000) / REQS_PER_SECOND;
    const status = rnd() < 0.02 ? '503' : '200';
    const tags = tagsFor(names[Math.floor(rnd() * names.length)], status);
    const dur = 2 + rnd() * rnd() * 200;
    const push = (metric: string, value: number): void => {
      out.push({ metric, time, value, tags });
    };
    push('http_reqs', 1);
    push('http_req_duration', dur);
    push('http_req_blocked', rnd() * 0.01);
    push('http_req_connecting', 0);
    push('http_req_tls_handshaking', 0);
    push('http_req_sending', 0.02 + rnd() * 0.05);
    push('http_req_waiting', dur * 0.9);
    push('http_req_receiving', dur * 0.1);
    push('http_req_failed', status === '200' ? 0 : 1);
    push('data_sent', 180);
    push('data_received', 1200);
  }
  return out;
}

function run(label: string, samples: Sample[]): void {
  let best = 0;
  let flushMs = 0;
  let deltaBytes = 0;
  let flushes = 0;
  const samplesPerFlush = REQS_PER_SECOND * 11;
  for (let round = 0; round < ROUNDS; round++) {
    const agg = new Aggregator(registry, selectors);
    const merged = new MergedResult(registry, selectors);
    let addMs = 0;
    for (let start = 0; start < samples.length; start += samplesPerFlush) {
      const end = Math.min(samples.length, start + samplesPerFlush);
      const t = performance.now();
      for (let i = start; i < end; i++) agg.add(samples[i]);
      addMs += performance.now() - t;
      const f = performance.now();
      const delta = agg.flush();
      const cloned = structuredClone(delta);
      merged.merge(cloned);
      flushMs += performance.now() - f;
      deltaBytes += JSON.stringify(delta, (_k, v) => (ArrayBuffer.isView(v) ? `${v.byteLength}` : v)).length;
      deltaBytes += typedBytes(delta);
      flushes++;
    }
    best = Math.max(best, samples.length / (addMs / 1000));
  }
  console.log(
    `${label}: add() ${(best / 1e6).toFixed(2)}M samples/s (best of ${ROUNDS}); ` +
      `flush+clone+merge ${(flushMs / flushes).toFixed(2)} ms per 1 s delta; ` +
      `delta ~${Math.round(deltaBytes / flushes / 1024)} KiB`,
  );
}

function typedBytes(v: unknown): number {
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + typedBytes(x), 0);
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + typedBytes(x), 0);
  return 0;
}

/** For comparison: the size of the same latency data as HdrHistogram's compressed base64 encoding. */
function compressedSize(samples: Sample[]): void {
  const h = new Int32Histogram(1, 2048, 3);
  h.autoResize = true;
  let n = 0;
  for (const s of samples) {
    if (s.metric !== 'http_req_duration') continue;
    h.recordValue(Math.round(s.value * 1000));
    if (++n === REQS_PER_SECOND) break;
  }
  const t = performance.now();
  const b64 = encodeIntoCompressedBase64(h);
  console.log(
    `reference: one second of http_req_duration as compressed base64: ${Math.round(b64.length / 1024)} KiB ` +
      `(${(performance.now() - t).toFixed(2)} ms to encode)`,
  );
}

const shared = makeSamples(true);
run('tags shared across requests', shared);
run('fresh tags per request     ', makeSamples(false));
compressedSize(shared);
