/**
 * `telltale token` and `telltale user` against a store file: tokens printed once and listed without their
 * secret, users created from standard input, and usage errors with their exit codes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuthStore } from '../../src/server/auth/auth-store.ts';
import { sha256 } from '../../src/server/auth/tokens.ts';
import { BIN, ROOT, runCli } from '../helpers/cli.ts';

let dir: string;
let store: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tt-auth-cli-'));
  store = path.join(dir, 'telltale.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withStdin(args: string[], input: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('telltale token and user', () => {
  it('creates a token, prints it once, stores only its digest, lists and revokes it', async () => {
    const made = await runCli(['token', 'create', '--store', store, '--name', 'ci', '--scope', 'read', '--scope', 'runs:write', '--expires', '30d']);
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^tt_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toMatch(/^token "ci" \(id [0-9a-f]{12}, scopes read, runs:write, expires \d{4}-\d\d-\d\dT.*\): it is shown only now$/m);
    const s = await openAuthStore(store);
    try {
      const record = await s.getTokenByHash(sha256(token));
      expect(record).toMatchObject({ name: 'ci', scopes: ['read', 'runs:write'], createdBy: 'cli', revokedAt: null });
      const listed = await runCli(['token', 'list', '--store', store, '--json']);
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: record!.id, name: 'ci', revokedAt: null })]);
      expect(listed.stdout).not.toContain(token);
      expect(listed.stdout).not.toContain(record!.hash);
      expect((await runCli(['token', 'revoke', record!.id, '--store', store])).code).toBe(0);
      const again = await runCli(['token', 'revoke', record!.id, '--store', store]);
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(/TT_AUTH_NOT_FOUND/);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('refuses bad token requests with exit code 2', async () => {
    for (const [args, pattern] of [
      [['--name', 'x'], /--scope: name at least one scope/],
      [['--name', 'x', '--scope', 'root'], /scopes\[0\]: unknown scope "root".*TT_AUTH_INPUT/],
      [['--name', 'x', '--scope', 'read', '--expires', 'soon'], /--expires/],
      [['--name', '', '--scope', 'read'], /name: expected/],
    ] as const) {
      const r = await runCli(['token', 'create', '--store', store, ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
  }, 60_000);

  it('creates users from standard input, refuses weak passwords and duplicates, lists and deletes them', async () => {
    expect((await withStdin(['user', 'create', 'ann', '--role', 'editor', '--store', store], 'ann-password\n')).code).toBe(0);
    const weak = await withStdin(['user', 'create', 'bob', '--store', store], 'short');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/password: must be at least 8 characters/);
    expect((await withStdin(['user', 'create', 'ann', '--store', store], 'ann-password')).stderr).toMatch(/a user named "ann" exists/);
    const list = await runCli(['user', 'list', '--store', store]);
    expect(list.stdout).toMatch(/^USER\s+ROLE\s+CREATED\nann\s+editor\s+\d{4}-/);
    expect((await runCli(['user', 'delete', 'ann', '--store', store])).code).toBe(0);
    expect((await runCli(['user', 'delete', 'ann', '--store', store])).code).toBe(3);
  }, 60_000);
});
