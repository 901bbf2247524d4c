/**
 * Turns an exception thrown by user code into a one-line message that points at the user's file and
 * line (the bundle carries an inline source map, so stack frames name the original files).
 */
import { fileURLToPath } from 'node:url';

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
    if (file.includes(runtimeMarker) || file.endsWith('script.mjs')) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
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
