/**
 * Runs k6-style programs against fake k6 modules that record what happens, so a test can compare the
 * original program on synchronous fakes (k6's semantics) with the transformed one on asynchronous
 * fakes (Telltale's runtime), event by event.
 */
import { transformSync } from 'esbuild';
import path from 'node:path';
import * as compat from '../../src/load/runtime/k6-compat.ts';
import { analyzeK6Graph, COMPAT_URL, overlayHost, transformK6Module } from '../../src/load/script/k6-transform/index.ts';

export type Files = Record<string, string>;

interface Response {
  status: number;
  url: string;
  json(): { url: string; items: number[] };
  submitForm(args?: { formSelector?: string }): Response | Promise<Response>;
  clickLink(args?: { selector?: string }): Response | Promise<Response>;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** k6, k6/http and a `trace` module whose mark() records a plain synchronous event. */
export function fakeModules(mode: 'sync' | 'async', events: string[]): Record<string, unknown> {
  const op = <T>(label: string, result: () => T): T | Promise<T> => {
    events.push(label);
    if (mode === 'sync') {
      events.push(`end ${label}`);
      return result();
    }
    return tick().then(() => {
      events.push(`end ${label}`);
      return result();
    });
  };
  const response = (url: string): Response => ({
    status: 200,
    url,
    json: () => ({ url, items: [1, 2] }),
    submitForm: (args) => op(`submitForm ${url} ${args?.formSelector ?? 'form'}`, () => response(`${url}/form`)),
    clickLink: (args) => op(`clickLink ${url} ${args?.selector ?? 'a[href]'}`, () => response(`${url}/link`)),
  });
  const request = (method: string) => (url: string) => op(`${method} ${url}`, () => response(url));
  const http = {
    get: request('GET'),
    post: request('POST'),
    put: request('PUT'),
    patch: request('PATCH'),
    del: request('DELETE'),
    head: request('HEAD'),
    options: request('OPTIONS'),
    request: (method: string, url: string) => op(`${method} ${url}`, () => response(url)),
    batch: (reqs: unknown[]) => op(`batch ${reqs.length}`, () => reqs.map((_, i) => response(`batch-${i}`))),
  };
  // group and check behave as Telltale's runtime does: they wait for a callback that returns a promise.
  const group = (name: string, fn: () => unknown) => {
    events.push(`group ${name}`);
    const r = fn();
    if (isThenable(r)) {
      return Promise.resolve(r).then((v) => {
        events.push(`end group ${name}`);
        return v;
      });
    }
    events.push(`end group ${name}`);
    return r;
  };
  const check = (value: unknown, sets: Record<string, unknown>) => {
    const names = Object.keys(sets);
    const results = names.map((n) => (typeof sets[n] === 'function' ? (sets[n] as (v: unknown) => unknown)(value) : sets[n]));
    const record = (vals: unknown[]) => {
      names.forEach((n, i) => events.push(`check ${n} ${vals[i] ? 'ok' : 'fail'}`));
      return vals.every(Boolean);
    };
    return results.some(isThenable) ? Promise.all(results).then(record) : record(results);
  };
  const sleep = (s: number) => op(`sleep ${s}`, () => undefined);
  const k6 = { sleep, group, check, fail: (m: string) => { throw new Error(m); } };
  return {
    k6: { ...k6, default: k6 },
    'k6/http': { ...http, default: http },
    trace: { mark: (m: unknown) => events.push(`mark ${String(m)}`) },
    [COMPAT_URL]: compat,
  };
}

/** Loads `entry` from `files` (ES modules, converted to CommonJS to run without a loader) and returns its exports. */
export function loadModules(files: Files, entry: string, modules: Record<string, unknown>): Record<string, any> {
  const cache = new Map<string, { exports: Record<string, any> }>();
  const load = (file: string): Record<string, any> => {
    const hit = cache.get(file);
    if (hit) return hit.exports;
    const source = files[file];
    if (source === undefined) throw new Error(`no module ${file}`);
    const { code } = transformSync(source, { format: 'cjs', loader: 'js', target: 'node22' });
    const module = { exports: {} as Record<string, any> };
    cache.set(file, module);
    const req = (spec: string) => {
      if (spec in modules) return modules[spec];
      if (spec.startsWith('.')) return load(path.posix.join(path.posix.dirname(file), spec));
      throw new Error(`unexpected import ${spec}`);
    };
    new Function('require', 'module', 'exports', code)(req, module, module.exports);
    return module.exports;
  };
  return load(entry);
}

/** Transforms every JavaScript file of `files` as one graph from `entry` (forced k6 mode). */
export function transformFiles(files: Files, entry: string): Files {
  const analysis = analyzeK6Graph(entry, { host: overlayHost(files, { read: () => undefined }), mode: 'k6' });
  const out: Files = {};
  for (const [file, code] of Object.entries(files)) out[file] = /\.(m|c)?js$/.test(file) ? transformK6Module(code, file, { analysis }).code : code;
  return out;
}

/** The events of running `fnName` of the original program synchronously and of the transformed program asynchronously. */
export async function traces(files: Files, entry: string, fnName = 'default'): Promise<{ expected: string[]; actual: string[]; transformed: Files }> {
  const expected: string[] = [];
  const original = loadModules(files, entry, fakeModules('sync', expected));
  const result = original[fnName]();
  if (isThenable(result)) throw new Error('the original program returned a promise; it is not synchronous');

  const transformed = transformFiles(files, entry);
  const actual: string[] = [];
  const rewritten = loadModules(transformed, entry, fakeModules('async', actual));
  await rewritten[fnName]();
  return { expected, actual, transformed };
}
