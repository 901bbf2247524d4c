import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../src/config/load-config.ts';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';
import { TelltaleError } from '../../src/errors.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tt-config-'));
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function failure(path: string): Promise<TelltaleError> {
  try {
    await loadConfigFile(path, telltaleConfigSchema);
  } catch (err) {
    return err as TelltaleError;
  }
  throw new Error('expected the config to be refused');
}

describe('telltale config', () => {
  it('fills the seeds defaults', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
    const { config } = await loadConfigFile(file('telltale.yaml', 'services:\n  - name: shop\n    selector: { job: shop }\n'), telltaleConfigSchema);
    expect(config.server.listen).toBe('127.0.0.1:7070');
    expect(config.storage.retention).toBe(15 * 86_400_000);
    expect(config.services[0].targets).toMatchObject({ p50: 200, p95: 500, p99: 1000, error_rate: 0.001, p95_warning: 400, p95_critical: 800, cpu_critical: 0.9 });
    expect(config.services[0].endpoint_label).toBe('route');
    expect(Object.isFrozen(config.services[0])).toBe(true);
  });

  it('reads percentages, sizes and durations', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
    const text = 'storage:\n  retention: 30d\n  retention_size: 10GiB\nservices:\n  - name: api\n    selector: { job: api }\n    targets: { p95: 300ms, error_rate: "0.5%" }\n';
    const { config } = await loadConfigFile(file('t.yml', text), telltaleConfigSchema);
    expect(config.storage.retention).toBe(30 * 86_400_000);
    expect(config.storage.retention_size).toBe(10 * 2 ** 30);
    expect(config.services[0].targets.p95).toBe(300);
    expect(config.services[0].targets.error_rate).toBeCloseTo(0.005);
  });

  it('names file, line and field of every problem', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
    const text = ['services:', '  - name: a', '    selector: { job: a }', '    targets: { p95: fast }', '  - name: a', '    selector: {}', 'storage:', '  retention_size: lots', ''].join('\n');
    const err = await failure(file('bad.yaml', text));
    expect(err.code).toBe('TT_CONFIG_INVALID');
    expect(err.line).toBe(4);
    expect(err.field).toBe('services[0].targets.p95');
    expect(err.hint).toMatch(/bad\.yaml:6:\d+: services\[1\]\.selector/);
    expect(err.hint).toMatch(/bad\.yaml:8:\d+: storage\.retention_size/);
  });

  it('refuses two services with one name', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
    const text = 'services:\n  - name: a\n    selector: { job: a }\n  - name: a\n    selector: { job: b }\n';
    const err = await failure(file('dup.yaml', text));
    expect(err.message).toBe('services[1].name: duplicate service name "a"');
    expect(err.line).toBe(4);
  });

  it('loads TypeScript config modules', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
    const ok = file('telltale.config.ts', "const c: { server: { listen: string } } = { server: { listen: '127.0.0.1:9999' } };\nexport default c;\n");
    expect((await loadConfigFile(ok, telltaleConfigSchema)).config.server.listen).toBe('127.0.0.1:9999');
    const bad = await failure(file('bad.config.ts', 'export default { servr: {} };\n'));
    expect(bad.field).toBe('servr');
    expect(bad.message).toMatch(/unknown field/);
    const none = await failure(file('none.config.ts', 'export const x = 1;\n'));
    expect(none.message).toMatch(/no default export/);
    const broken = await failure(file('broken.config.ts', 'export default {;\n'));
    expect(broken.message).toMatch(/failed to load/);
    expect((await failure(join(dir, 'missing.yaml'))).message).toMatch(/not found/);
    expect((await failure(file('x.toml', ''))).message).toMatch(/must be/);
  });
});
