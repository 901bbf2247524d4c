import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('telltale validate', () => {
  it('accepts a valid config found in the current directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-validate-'));
    writeFileSync(join(dir, 'telltale.yaml'), 'services:\n  - name: shop\n    selector: { job: shop }\n');
    const r = await runCli(['validate'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('telltale.yaml: valid — listen 127.0.0.1:7070, 1 service(s), 0 scrape job(s) with 0 target(s)\n');
  });

  it('lists every problem with file, line and field and exits 104', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-validate-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  listen: 1\nservices:\n  - name: shop\n    selector: { job: shop }\n    targets: { p95: soon }\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${file}:2:11: server.listen:`);
    expect(r.stderr).toContain(`${file}:6:21: services[0].targets.p95:`);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('checks scrape configs with the scrape manager schema', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-validate-'));
    const file = join(dir, 'telltale.yaml');
    writeFileSync(file, 'scrape_configs:\n  - job_name: api\n    scrape_interval: 5s\n    scrape_timeout: 10s\n    static_configs: [{ targets: ["127.0.0.1:8080"] }]\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/scrape_configs\[0\]\.scrape_timeout: .*greater than scrape_interval/);
  });

  it('says what it looked for when there is no config', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-validate-'));
    const r = await runCli(['validate'], { cwd: dir });
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/no config file given and none of telltale\.config\.ts/);
  });
});
