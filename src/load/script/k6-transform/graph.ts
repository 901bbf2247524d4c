/**
 * The script's own JavaScript modules: the entry and every .js/.mjs/.cjs file reachable from it by
 * relative imports, re-exports and require() calls, each parsed once. TypeScript modules are not
 * parsed (they are native Telltale code); packages and data files are left to the bundler.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeModule, type ModuleInfo } from './module.ts';
import type { Dep } from './values.ts';
import { COMPAT_URL } from './rewrite.ts';

export interface ModuleHost {
  /** The file's text, or undefined if there is no such file. */
  read(file: string): string | undefined;
  /** The file's path with symlinks resolved, as esbuild names the files it loads. */
  realpath?(file: string): string;
}

export const fsHost: ModuleHost = {
  read(file) {
    try {
      return statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  },
  realpath(file) {
    try {
      return realpathSync(file);
    } catch {
      return file;
    }
  },
};

/** A host that serves the given files (absolute paths) and falls back to `base` for the rest. */
export function overlayHost(files: Record<string, string>, base: ModuleHost = fsHost): ModuleHost {
  const own = new Map(Object.entries(files).map(([f, code]) => [path.resolve(f), code]));
  return { read: (file) => own.get(file) ?? base.read(file), realpath: (file) => (own.has(file) ? file : (base.realpath?.(file) ?? file)) };
}

export interface ModuleGraph {
  entry: string;
  /** Parsed JavaScript modules, the entry first, in the order they were found. */
  modules: ModuleInfo[];
  byFile: Map<string, ModuleInfo>;
  depOf(mod: ModuleInfo, specifier: string): Dep;
}

export const isJavaScript = (file: string) => /\.(m|c)?js$/i.test(file);
const isTypeScript = (file: string) => /\.(m|c)?tsx?$/i.test(file);

// esbuild's default resolve extensions, so the graph finds the same files the bundle will load.
const EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js', '.css', '.json'];

function resolveLocal(specifier: string, from: string, exists: (f: string) => boolean): string | undefined {
  let base: string;
  if (specifier.startsWith('file://')) base = fileURLToPath(specifier);
  else if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' || path.isAbsolute(specifier)) {
    base = path.resolve(path.dirname(from), specifier);
  } else return undefined;
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  return candidates.find(exists);
}

function k6Module(specifier: string): Dep | undefined {
  if (specifier === 'k6' || specifier === 'telltale') return { kind: 'k6', module: 'k6' };
  if (specifier === 'k6/http' || specifier === 'telltale/http') return { kind: 'k6', module: 'http' };
  if (specifier.startsWith('k6/') || specifier.startsWith('telltale/')) return { kind: 'k6', module: 'other' };
  return undefined;
}

export function buildGraph(entryPath: string, host: ModuleHost = fsHost): ModuleGraph {
  const real = (f: string) => host.realpath?.(f) ?? f;
  const entry = real(path.resolve(entryPath));
  const texts = new Map<string, string | undefined>();
  const read = (f: string) => {
    if (!texts.has(f)) texts.set(f, host.read(f));
    return texts.get(f);
  };
  const exists = (f: string) => read(f) !== undefined;
  const modules: ModuleInfo[] = [];
  const byFile = new Map<string, ModuleInfo>();
  const deps = new Map<ModuleInfo, Map<string, Dep | string>>();

  const queue = isJavaScript(entry) ? [entry] : [];
  const queued = new Set(queue);
  while (queue.length) {
    const file = queue.shift()!;
    const code = read(file);
    if (code === undefined) continue;
    const mod = analyzeModule(code, file, /\.cjs$/i.test(file) ? 'script' : 'module');
    modules.push(mod);
    byFile.set(file, mod);
    const own = new Map<string, Dep | string>();
    for (const spec of mod.specifiers) {
      const known = spec === COMPAT_URL ? ({ kind: 'compat' } as const) : k6Module(spec);
      if (known) {
        own.set(spec, known);
        continue;
      }
      const found = resolveLocal(spec, file, exists);
      const resolved = found && real(found);
      if (!resolved) own.set(spec, { kind: 'opaque' });
      else if (isTypeScript(resolved)) own.set(spec, { kind: 'native' });
      else if (!isJavaScript(resolved)) own.set(spec, { kind: 'opaque' });
      else {
        own.set(spec, resolved);
        if (!queued.has(resolved)) {
          queued.add(resolved);
          queue.push(resolved);
        }
      }
    }
    deps.set(mod, own);
  }

  const opaque: Dep = { kind: 'opaque' };
  const linked = new Map<ModuleInfo, Map<string, Dep>>();
  for (const [mod, own] of deps) {
    const out = new Map<string, Dep>();
    for (const [spec, d] of own) {
      if (typeof d !== 'string') out.set(spec, d);
      else {
        const target = byFile.get(d);
        out.set(spec, target ? { kind: 'local', mod: target } : opaque);
      }
    }
    linked.set(mod, out);
  }
  return { entry, modules, byFile, depOf: (mod, spec) => linked.get(mod)?.get(spec) ?? opaque };
}
