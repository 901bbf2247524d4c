/**
 * Turns an exception thrown by user code into a one-line message that points at the user's file and
 * line (the bundle carries an inline source map, so stack frames name the original files).
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SourceMap } from 'node:module';

const runtimeMarker = `${path_sep()}src${path_sep()}load${path_sep()}`;

function path_sep(): string {
  return process.platform === 'win32' ? '\\' : '/';
}

export interface ScriptLocation {
  file: string;
  line: number;
  column: number;
}

const FRAME = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/;

/** The first stack frame that belongs to the user's script (not Telltale's runtime, not node internals). */
export function userFrame(err: unknown): ScriptLocation | undefined {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('node:') || file.includes('node_modules')) continue;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file.replace(/\?.*$/, ''));
      } catch {
        continue;
      }
    }
    if (file.endsWith('script.mjs')) {
      const mapped = mapBundleFrame(file, Number(m[2]), Number(m[3]));
      if (mapped) return mapped;
      continue;
    }
    if (file.includes(runtimeMarker)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

const maps = new Map<string, SourceMap | null>();

/** Maps a position in the bundle back to the user's file (1-based line and column in and out). */
function mapBundleFrame(bundle: string, line: number, column: number): ScriptLocation | undefined {
  let map = maps.get(bundle);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(bundle, map);
  }
  if (!map) return undefined;
  const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (!entry || entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
  let source = entry.originalSource;
  if (source.startsWith('file://')) source = fileURLToPath(source);
  const file = path.resolve(path.dirname(bundle), source);
  if (file.includes(runtimeMarker) || file.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
  return { file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
}

/** `Error: boom at /path/script.ts:12:7` — what the run prints for a VU exception. */
export function describeScriptError(err: unknown): string {
  const msg = err instanceof Error ? `${err.name === 'Error' ? 'Error' : err.name}: ${err.message}` : `Uncaught ${stringify(err)}`;
  const where = userFrame(err);
  return where ? `${msg}\n\tat ${where.file}:${where.line}:${where.column}` : msg;
}

function stringify(v: unknown): string {
  try {
    return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
