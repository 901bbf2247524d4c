/**
 * Loads a config file as code or data: `.ts`/`.mts`/`.js`/`.mjs` modules (their default export, or the
 * value `defineConfig()` returned; Node 24 strips the types), `.yaml`/`.yml` and `.json` documents. Data
 * files keep their positions, so a schema problem is reported at file:line:column; modules are reported by
 * field path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { TelltaleError, type ErrorCode } from '../errors.ts';
import { findingsError, formatPath, parseYamlSource, validateYaml, type Finding } from './yaml-source.ts';

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);
const DATA_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface LoadedConfig<T> {
  file: string;
  config: T;
}

/** Reads and validates a config file; throws `code` with every problem found. */
export async function loadConfigFile<S extends z.ZodType>(path: string, schema: S, code: ErrorCode = 'TT_CONFIG_INVALID'): Promise<LoadedConfig<z.infer<S>>> {
  const file = resolve(path);
  if (!existsSync(file)) throw new TelltaleError(code, `config file not found: ${path}`, { file: path });
  const ext = extname(file).toLowerCase();
  if (DATA_EXTENSIONS.has(ext)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new TelltaleError(code, `cannot read config file: ${(err as Error).message}`, { file: path, cause: err });
    }
    const source = parseYamlSource(text, path, code);
    return { file, config: deepFreeze(validateYaml(source, schema, code)) };
  }
  if (!MODULE_EXTENSIONS.has(ext)) {
    throw new TelltaleError(code, `config file must be .ts, .js, .mjs, .yaml, .yml or .json, not ${ext || 'without an extension'}`, { file: path });
  }
  let mod: { default?: unknown };
  try {
    // a query string makes a reload (SIGHUP) import the file anew instead of the cached module
    mod = (await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as { default?: unknown };
  } catch (err) {
    throw new TelltaleError(code, `config module failed to load: ${(err as Error).message}`, { file: path, cause: err });
  }
  if (mod.default === undefined) throw new TelltaleError(code, 'config module has no default export (export default defineConfig({...}))', { file: path });
  const value = typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
  const result = schema.safeParse(value);
  if (!result.success) {
    const findings: Finding[] = result.error.issues.flatMap((issue) => {
      const path0 = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...path0, k]) : [path0];
      return paths.map((p) => {
        const field = formatPath(p);
        return { severity: 'error' as const, message: field ? `${field}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}` : issue.message, field: field || undefined, file: path };
      });
    });
    throw findingsError(findings, code);
  }
  return { file, config: deepFreeze(result.data) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The names `telltale serve` and `telltale validate` look for, in this order, when no file is given. */
export const DEFAULT_CONFIG_NAMES = ['telltale.config.ts', 'telltale.config.mts', 'telltale.config.js', 'telltale.config.mjs', 'telltale.yaml', 'telltale.yml', 'telltale.json'];

/** The config file in `dir`, or undefined when there is none. */
export function findConfigFile(dir: string): string | undefined {
  for (const name of DEFAULT_CONFIG_NAMES) {
    const p = resolve(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}
