/**
 * What authentication costs per request: the same fastify app answering `GET /api/v1/status/telltale`
 * without auth, and with auth on (SQLite auth store) by Bearer token, by Basic auth with the token, and by
 * session cookie. Requests go through fastify's `inject` (no sockets), so the figure is the server's own
 * work per request; rounds are interleaved so drift in the machine's load hits every variant alike.
 *
 *   node bench/auth-overhead.ts [--requests N] [--rounds R]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.ts';
import { Auth, authRoutes, openAuthStore } from '../src/server/auth/index.ts';

const arg = (name: string, fallback: number) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const requests = arg('--requests', 20_000);
const rounds = arg('--rounds', 5);

const dir = mkdtempSync(path.join(tmpdir(), 'tt-bench-auth-'));
const auth = new Auth({ store: await openAuthStore(path.join(dir, 'telltale.db')) });
await auth.bootstrap({ env: { TELLTALE_ADMIN_PASSWORD: 'bench-password' }, dataDir: dir });
const open = await buildApp();
const guarded = await buildApp({ auth, plugins: [authRoutes(auth)] });
const { token } = await auth.createToken({ name: 'bench', scopes: ['read'] }, 'bench');
const login = await guarded.inject({ method: 'POST', url: '/api/telltale/login', payload: { username: 'admin', password: 'bench-password' } });
const cookie = String(login.headers['set-cookie']).split(';')[0];

const variants: Array<[string, FastifyInstance, Record<string, string>]> = [
  ['no auth', open, {}],
  ['Bearer token', guarded, { authorization: `Bearer ${token}` }],
  ['Basic, token as password', guarded, { authorization: `Basic ${Buffer.from(`grafana:${token}`).toString('base64')}` }],
  ['session cookie', guarded, { cookie }],
];

async function run(app: FastifyInstance, headers: Record<string, string>, n: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const res = await app.inject({ url: '/api/v1/status/telltale', headers });
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${res.body}`);
  }
  return Number(process.hrtime.bigint() - started) / 1000 / n;
}

try {
  for (const [, app, headers] of variants) await run(app, headers, 2000);
  const us: number[][] = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? variants.map((_, i) => i) : variants.map((_, i) => variants.length - 1 - i);
    for (const i of order) us[i].push(await run(variants[i][1], variants[i][2], requests));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(us[0]);
  process.stdout.write(`${requests} requests x ${rounds} rounds; ${cpus().length} CPUs (${cpus()[0]?.model}); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  process.stdout.write('| variant | µs/request (median) | vs no auth |\n|---|---|---|\n');
  variants.forEach(([name], i) => process.stdout.write(`| ${name} | ${median(us[i]).toFixed(1)} | x${(median(us[i]) / base).toFixed(2)} |\n`));
} finally {
  await open.close();
  await guarded.close();
  await auth.store.close();
  rmSync(dir, { recursive: true, force: true });
}
