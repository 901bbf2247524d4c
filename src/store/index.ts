/**
 * Opening the run store named by `--store`, TELLTALE_STORE or the default: a SQLite file under the working
 * directory (`.telltale/telltale.db`), or PostgreSQL for a `postgres://` URL.
 */
import path from 'node:path';
import { TelltaleError } from '../errors.ts';
import { KyselyRunStore, type StoreEngine, type StoreOptions } from './kysely-store.ts';
import { openPostgresDialect, parsePostgresUrl } from './postgres.ts';
import { openSqliteDialect } from './sqlite.ts';
import type { RunStore } from './types.ts';

export type { Baseline, RunFilter, RunStore, RunSummary } from './types.ts';
export { redactUrl } from './postgres.ts';

export const DEFAULT_STORE_PATH = path.join('.telltale', 'telltale.db');

export interface OpenStoreOptions extends StoreOptions {
  /** `--store` */
  spec?: string;
  /** for TELLTALE_STORE */
  env?: Readonly<Record<string, string | undefined>>;
  /** relative SQLite paths and the default store are under this directory */
  cwd?: string;
}

export type StoreLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** Which store a spec names; nothing is opened. */
export function resolveStoreLocation(options: OpenStoreOptions = {}): StoreLocation {
  const cwd = options.cwd ?? process.cwd();
  const given = options.spec?.trim() || options.env?.TELLTALE_STORE?.trim() || '';
  if (/^postgres(ql)?:\/\//i.test(given)) return { kind: 'postgres', url: given };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given) && !/^sqlite:/i.test(given) && !/^file:/i.test(given)) {
    const scheme = given.slice(0, given.indexOf(':'));
    throw new TelltaleError('TT_USAGE', `--store: unsupported store "${scheme}:"; use a SQLite file path or a postgres:// URL`, { field: '--store' });
  }
  const file = given.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:(\/\/)?/i, '');
  if (file === ':memory:') return { kind: 'sqlite', file };
  return { kind: 'sqlite', file: path.resolve(cwd, file === '' ? DEFAULT_STORE_PATH : file) };
}

export async function openStore(options: OpenStoreOptions = {}): Promise<RunStore> {
  const location = resolveStoreLocation(options);
  let engine: StoreEngine;
  if (location.kind === 'postgres') {
    const target = parsePostgresUrl(location.url);
    engine = { dialect: await openPostgresDialect(target), description: target.redacted, ...(target.schema ? { schema: target.schema } : {}) };
  } else {
    try {
      engine = { dialect: await openSqliteDialect(location.file), description: location.file };
    } catch (err) {
      throw new TelltaleError('TT_STORE_UNAVAILABLE', `run store ${location.file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return KyselyRunStore.open(engine, options);
}
