/**
 * amtool (Alertmanager's own CLI) against an authenticated Telltale server, configured as its users do
 * with `--http.config.file` holding `authorization: { credentials: <token> }`: a read+write token adds and
 * queries silences, a read token can query but not add, and no token is refused.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telltaleConfigSchema } from '../../src/config/telltale-config.ts';
import { assembleServer, type AssembledServer } from '../../src/server/assemble.ts';

const AMTOOL = '/usr/bin/amtool';
let dir: string;
let server: AssembledServer;

function amtool(args: string[], httpConfig?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const flags = [`--alertmanager.url=${server.url}`, ...(httpConfig ? [`--http.config.file=${httpConfig}`] : []), ...args];
  return new Promise((resolve) => {
    execFile(AMTOOL, flags, { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

async function httpConfig(name: string, scopes: string[]): Promise<string> {
  const { token } = await server.auth.createToken({ name, scopes }, 'test');
  const file = path.join(dir, `${name}.yml`);
  writeFileSync(file, `authorization:\n  credentials: ${token}\n`);
  return file;
}

describe.skipIf(!existsSync(AMTOOL))('amtool with a token', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tt-auth-amtool-'));
    server = await assembleServer({ config: telltaleConfigSchema.parse({}), listen: '127.0.0.1:0', dataDir: path.join(dir, 'data'), env: { TELLTALE_ADMIN_PASSWORD: 'amtool-test-1' }, buildDashboard: false });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds and queries silences with a write token, only queries with a read token, and is refused without one', async () => {
    const writer = await httpConfig('amtool-writer', ['read', 'write']);
    const reader = await httpConfig('amtool-reader', ['read']);
    const added = await amtool(['silence', 'add', 'alertname=Deploy', '--comment=deploying', '--author=ops', '--duration=1h'], writer);
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const queried = await amtool(['silence', 'query', '-q'], reader);
    expect(queried.code, queried.stderr).toBe(0);
    expect(queried.stdout.trim()).toBe(id);
    const refused = await amtool(['silence', 'add', 'alertname=Other', '--comment=c', '--author=a'], reader);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/403|forbidden/i);
    const anonymous = await amtool(['silence', 'query']);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/401|unauthorized/i);
  }, 60_000);
});
