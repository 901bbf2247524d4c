/**
 * Loading the bundled script: one module instance per VU (a distinct URL query gives each VU its own
 * module-level state, as each k6 VU has its own JS runtime), the k6 globals, and init-time errors
 * that point at the user's line.
 */
import { readFileSync } from 'node:fs';
import { Console } from 'node:console';
import path from 'node:path';
import { TelltaleError } from '../../errors.ts';
import { currentVu, getRuntime, type Runtime } from '../runtime/context.ts';
import { userFrame, describeScriptError } from './errors.ts';

let globalsInstalled = false;

/** Defines `__ENV`, `__VU`, `__ITER` and `open()` on globalThis, resolved per calling VU. */
export function installGlobals(): void {
  if (globalsInstalled) return;
  globalsInstalled = true;
  // k6 prints the script's console output on stderr, keeping stdout for the summary.
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  Object.defineProperty(globalThis, '__ENV', {
    configurable: true,
    get() {
      const vu = currentVu();
      return vu?.scenario ? vu.scenario.env : getRuntime().env;
    },
  });
  Object.defineProperty(globalThis, '__VU', {
    configurable: true,
    get: () => currentVu()?.id ?? 0,
  });
  Object.defineProperty(globalThis, '__ITER', {
    configurable: true,
    get: () => currentVu()?.iteration ?? 0,
  });
  Object.defineProperty(globalThis, 'open', {
    configurable: true,
    writable: true,
    value: openFile,
  });
}

/** k6's open(path, mode): reads a file relative to the script, only in the init context. */
function openFile(file: unknown, mode?: unknown): string | ArrayBuffer {
  const rt = getRuntime();
  if (currentVu()) {
    throw new TelltaleError('TT_OPEN_FAILED', 'open() can only be called in the init context (top level of the script)');
  }
  if (typeof file !== 'string' || file === '') throw new TelltaleError('TT_OPEN_FAILED', 'open(): expected a file path');
  const binary = mode === 'b';
  if (mode !== undefined && mode !== 'b' && mode !== '') {
    throw new TelltaleError('TT_OPEN_FAILED', `open(${JSON.stringify(file)}): mode must be "b" or omitted`);
  }
  const abs = path.resolve(rt.scriptDir, file);
  const key = `${binary ? 'b' : 't'}:${abs}`;
  const cached = rt.fileCache.get(key);
  if (cached !== undefined) return cached;
  let content: string | ArrayBuffer;
  try {
    const buf = readFileSync(abs);
    content = binary ? buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) : buf.toString('utf8');
  } catch (err) {
    throw new TelltaleError('TT_OPEN_FAILED', `open(${JSON.stringify(file)}): cannot read ${abs}: ${(err as Error).message}`, { file: abs, cause: err });
  }
  rt.fileCache.set(key, content);
  return content;
}

/** Imports a fresh instance of the bundled script module. */
export async function importScript(url: string, instanceKey: string, rt: Runtime): Promise<Record<string, unknown>> {
  installGlobals();
  rt.initPhase = true;
  rt.initResponseCallback = undefined;
  try {
    return (await import(`${url}?${instanceKey}`)) as Record<string, unknown>;
  } catch (err) {
    throw initError(err);
  } finally {
    rt.initPhase = false;
  }
}

export function initError(err: unknown): TelltaleError {
  if (err instanceof TelltaleError) {
    const where = userFrame(err);
    if (where && !err.file) {
      return new TelltaleError(err.code, err.message, { file: where.file, line: where.line, column: where.column, cause: err });
    }
    return err;
  }
  const where = userFrame(err);
  return new TelltaleError('TT_SCRIPT_INIT', `the script threw during init: ${describeScriptError(err).split('\n')[0]}`, {
    file: where?.file,
    line: where?.line,
    column: where?.column,
    cause: err,
  });
}
