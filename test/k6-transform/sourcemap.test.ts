import { afterEach, describe, expect, it } from 'vitest';
import { SourceMap } from 'node:module';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformK6Module } from '../../src/load/script/k6-transform/index.ts';
import { bundleScript, type BundledScript } from '../../src/load/script/bundle.ts';
import { userFrame } from '../../src/load/script/errors.ts';
import { TelltaleError } from '../../src/errors.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/k6-transform/${name}`, import.meta.url));

/** 0-based line and column of the n-th occurrence of `needle`. */
function locate(code: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = code.indexOf(needle, at + 1);
  expect(at).toBeGreaterThanOrEqual(0);
  const lines = code.slice(0, at).split('\n');
  return { line: lines.length - 1, column: lines[lines.length - 1].length };
}

describe('source maps of transformed modules', () => {
  it('map every token back to its original line and column', () => {
    const src = [
      "import http from 'k6/http';",
      "import { sleep, group } from 'k6';",
      'function get(u) { return http.get(u).json(); } function boom() { throw new Error("x"); }',
      'export default function () { group("g", () => { [1, 2].forEach((i) => get(i)); sleep(1); boom(); }); }',
    ].join('\n');
    const { code, map } = transformK6Module(src, '/virtual/script.js', { host: { read: () => undefined } });
    expect(code).not.toBe(src);
    const sm = new SourceMap(JSON.parse(map.toString()));
    for (const token of ['throw new Error', 'boom();', 'sleep(1)', 'get(i)', '(i) =>', '.json()', "'k6/http'", 'function boom']) {
      const generated = locate(code, token);
      const original = locate(src, token);
      const entry = sm.findEntry(generated.line, generated.column) as { originalSource: string; originalLine: number; originalColumn: number };
      expect({ token, source: entry.originalSource, line: entry.originalLine, column: entry.originalColumn }).toEqual({ token, source: 'script.js', ...original });
    }
  });
});

describe('bundled k6 scripts', () => {
  let bundle: BundledScript | undefined;
  afterEach(async () => {
    await bundle?.dispose();
    bundle = undefined;
  });

  it('report an exception at the line and column of the original script', async () => {
    const file = fixture('sourcemap/init-throws.js');
    bundle = await bundleScript(file);
    const text = await readFile(fileURLToPath(bundle.url), 'utf8');
    expect(text).toMatch(/async function load\(\)/);
    const err = await import(bundle.url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('init boom');
    const src = await readFile(file, 'utf8');
    const at = locate(src, "new Error('init boom')");
    expect(userFrame(err)).toEqual({ file, line: at.line + 1, column: at.column + 1 });
  });

  it('are transformed in auto mode and left alone in native mode', async () => {
    bundle = await bundleScript(fixture('cross/main.js'));
    const auto = await readFile(fileURLToPath(bundle.url), 'utf8');
    expect(auto).toContain('await login("vu")');
    expect(auto).toContain('await forEach(["/a", "/b"], async (p) => {');
    await bundle.dispose();
    bundle = await bundleScript(fixture('cross/main.js'), 'native');
    const native = await readFile(fileURLToPath(bundle.url), 'utf8');
    expect(native).not.toMatch(/\bawait\b/);
  });

  it('are transformed when reached through a symlink (esbuild loads the real path)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'telltale-k6-link-'));
    try {
      await symlink(path.dirname(fixture('cross/main.js')), path.join(dir, 'linked'));
      bundle = await bundleScript(path.join(dir, 'linked', 'main.js'));
      expect(await readFile(fileURLToPath(bundle.url), 'utf8')).toContain('await login("vu")');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leave native JavaScript scripts alone in auto mode', async () => {
    bundle = await bundleScript(fixture('native/script.js'));
    const text = await readFile(fileURLToPath(bundle.url), 'utf8');
    expect(text).toContain('await http.get("/native")');
    expect(text).not.toContain('await await');
  });

  it('fail with the transform error, pointing at the user file', async () => {
    const file = fixture('errors/timer.js');
    const err = await bundleScript(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TelltaleError);
    expect(err).toMatchObject({ code: 'TT_SCRIPT_BUNDLE', file, line: 4, column: 14 });
    expect((err as TelltaleError).format()).toMatch(/timer\.js:4:14: the arrow function at timer\.js:4:14 waits for k6 calls, but it is passed to setTimeout\(\)/);
  });

  it('fail on a syntax error with acorn’s position', async () => {
    const file = fixture('errors/syntax.js');
    const err = await bundleScript(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'TT_SCRIPT_BUNDLE', file, line: 3, column: 18 });
  });
});
