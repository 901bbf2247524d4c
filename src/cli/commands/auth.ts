/**
 * `telltale token create|list|revoke` and `telltale user list|create|set-password|delete`: the server's
 * API tokens and users, written straight into its auth store (the same database `telltale serve` uses,
 * found the same way: --store, else the config's server.store, else telltale.db beside the data dir).
 * A running server sees the change at its next request. See docs/auth.md.
 */
import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { findConfigFile, loadConfigFile } from '../../config/load-config.ts';
import { parseDuration } from '../../config/duration.ts';
import { telltaleConfigSchema } from '../../config/telltale-config.ts';
import { TelltaleError } from '../../errors.ts';
import { Auth, openAuthStore } from '../../server/auth/index.ts';
import { publicToken, publicUser } from '../../server/auth/auth.ts';
import type { SetExit } from './run.ts';

interface StoreFlags {
  config?: string;
  data?: string;
  store?: string;
}

function storeFlags(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', "the server's config file (default: telltale.config.ts / telltale.yaml in the current directory, if any)")
    .option('--data <dir>', "the server's series store directory (default .telltale/data, or server.data)")
    .option('--store <url|path>', "the server's relational store (default server.store, or telltale.db beside the data directory)");
}

async function withAuth<T>(flags: StoreFlags, fn: (auth: Auth) => Promise<T>): Promise<T> {
  let spec = flags.store;
  if (spec === undefined) {
    const file = flags.config ?? findConfigFile(process.cwd());
    const config = file ? (await loadConfigFile(file, telltaleConfigSchema)).config : telltaleConfigSchema.parse({});
    spec = config.server.store ?? join(dirname(resolve(flags.data ?? config.server.data)), 'telltale.db');
  }
  const auth = new Auth({ store: await openAuthStore(spec) });
  try {
    return await fn(auth);
  } finally {
    await auth.store.close();
  }
}

/** A password from standard input (one line; the trailing newline is dropped). */
async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new TelltaleError('TT_USAGE', 'pipe the password on standard input, e.g. `printf %s "$PW" | telltale user ...`', { field: '--password-stdin' });
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

interface CreateTokenFlags extends StoreFlags {
  name: string;
  scope: string[];
  expires?: string;
  json?: boolean;
}

export function registerAuth(program: Command, setExit: SetExit): void {
  const token = program.command('token').description("the server's API tokens: create, list, revoke");

  storeFlags(token.command('create').description('create an API token and print it (it is shown only once)'))
    .requiredOption('--name <name>', 'what the token is for, e.g. "prometheus remote_write"')
    .option('--scope <scope>', 'read, write, ingest, runs:write or admin (repeat, or separate with commas)', collect, [])
    .option('--expires <duration>', 'lifetime, e.g. 90d or 12h (default: never expires)')
    .option('--json', 'print the token record as JSON, with the token')
    .action(async (flags: CreateTokenFlags) => {
      if (flags.scope.length === 0) throw new TelltaleError('TT_USAGE', '--scope: name at least one scope (read, write, ingest, runs:write, admin)', { field: '--scope' });
      let expiresInMs: number | null = null;
      if (flags.expires !== undefined) {
        try {
          expiresInMs = parseDuration(flags.expires, '--expires');
        } catch (err) {
          throw new TelltaleError('TT_USAGE', (err as Error).message, { field: '--expires' });
        }
      }
      const { token: secret, record } = await withAuth(flags, (auth) => auth.createToken({ name: flags.name, scopes: flags.scope, expiresInMs }, 'cli'));
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...publicToken(record), token: secret }, null, 2)}\n`);
      else {
        process.stdout.write(`${secret}\n`);
        process.stderr.write(`token ${JSON.stringify(record.name)} (id ${record.id}, scopes ${record.scopes.join(', ')}${record.expiresAt ? `, expires ${new Date(record.expiresAt).toISOString()}` : ''}): it is shown only now\n`);
      }
      setExit(0);
    });

  storeFlags(token.command('list').description('list API tokens (never their secrets)'))
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags & { json?: boolean }) => {
      const list = (await withAuth(flags, (auth) => auth.store.listTokens())).map(publicToken);
      if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else {
        const rows = list.map((t) => [t.id, t.name, t.scopes.join(','), t.createdAt.slice(0, 10), t.lastUsedAt?.slice(0, 19) ?? '-', t.expiresAt?.slice(0, 10) ?? 'never', t.revokedAt ? 'revoked' : 'active']);
        process.stdout.write(table([['ID', 'NAME', 'SCOPES', 'CREATED', 'LAST USED', 'EXPIRES', 'STATE'], ...rows]));
      }
      setExit(0);
    });

  storeFlags(token.command('revoke').description('revoke an API token by id').argument('<id>'))
    .action(async (id: string, flags: StoreFlags) => {
      await withAuth(flags, (auth) => auth.revokeToken(id));
      process.stderr.write(`token ${id} revoked\n`);
      setExit(0);
    });

  const user = program.command('user').description("the server's users: list, create, set-password, delete");

  storeFlags(user.command('list').description('list users and their roles'))
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags & { json?: boolean }) => {
      const list = (await withAuth(flags, (auth) => auth.store.listUsers())).map(publicUser);
      if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else process.stdout.write(table([['USER', 'ROLE', 'CREATED'], ...list.map((u) => [u.username, u.role, u.createdAt.slice(0, 10)])]));
      setExit(0);
    });

  storeFlags(user.command('create').description('create a user; the password is read from standard input').argument('<username>'))
    .option('--role <role>', 'viewer, editor or admin', 'viewer')
    .action(async (username: string, flags: StoreFlags & { role: string }) => {
      const password = await passwordFromStdin();
      await withAuth(flags, (auth) => auth.createUser({ username, password, role: flags.role }));
      process.stderr.write(`user ${username} created (${flags.role})\n`);
      setExit(0);
    });

  storeFlags(user.command('set-password').description("set a user's password, read from standard input; ends their sessions").argument('<username>'))
    .action(async (username: string, flags: StoreFlags) => {
      const password = await passwordFromStdin();
      await withAuth(flags, (auth) => auth.updateUser(username, { password }));
      process.stderr.write(`password of ${username} changed\n`);
      setExit(0);
    });

  storeFlags(user.command('delete').description('delete a user and end their sessions').argument('<username>'))
    .action(async (username: string, flags: StoreFlags) => {
      await withAuth(flags, (auth) => auth.deleteUser(username));
      process.stderr.write(`user ${username} deleted\n`);
      setExit(0);
    });
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}
