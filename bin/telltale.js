#!/usr/bin/env node
// Entry point. Telltale runs its TypeScript sources directly on Node >= 22.18 (type stripping).
import { readdirSync, rmSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

// Stripping types and compiling a few hundred modules is most of the start-up time; Node's compile cache keeps
// the result on disk. Worker threads read the directory from the environment.
if (process.env.NODE_COMPILE_CACHE === undefined && process.env.NODE_DISABLE_COMPILE_CACHE === undefined) {
  const dir = path.join(os.tmpdir(), 'telltale-compile-cache');
  process.env.NODE_COMPILE_CACHE = dir;
  // Every run's script bundle is a new file and gets entries of its own, so the cache only grows: start it
  // afresh once it holds far more than the project's own modules.
  try {
    let entries = 0;
    for (const sub of readdirSync(dir)) entries += readdirSync(path.join(dir, sub)).length;
    if (entries > 5000) rmSync(dir, { recursive: true, force: true });
  } catch {
    // no cache yet
  }
}
module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE);

const { main } = await import('../src/cli/main.ts');
main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
