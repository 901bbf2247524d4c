/**
 * Builds the dashboard into web/dist: `node web/build.ts` (the server start and the browser tests call
 * `buildDashboard()`). Prints the size of each file, raw and gzipped, so the bundle budget stays visible.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const WEB = fileURLToPath(new URL('.', import.meta.url));
export const DIST = path.join(WEB, 'dist');

export interface BuiltFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? walk(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

/** Builds web/dist (or `outDir`) and lists what it holds. */
export async function buildDashboard(options: { outDir?: string } = {}): Promise<BuiltFile[]> {
  const outDir = options.outDir ?? DIST;
  await build({ configFile: path.join(WEB, 'vite.config.ts'), build: { outDir } });
  return walk(outDir)
    .sort()
    .map((file) => {
      const body = readFileSync(path.join(outDir, file));
      return { file, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
    });
}

if (import.meta.main) {
  const files = await buildDashboard();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  for (const f of files) process.stdout.write(`${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzipBytes).padStart(9)}\n`);
  const total = files.reduce((a, f) => ({ bytes: a.bytes + f.bytes, gzip: a.gzip + f.gzipBytes }), { bytes: 0, gzip: 0 });
  process.stdout.write(`${'total'.padEnd(40)} ${kb(total.bytes).padStart(10)}  gzip ${kb(total.gzip).padStart(9)}\n`);
}
