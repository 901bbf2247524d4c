/**
 * SQLite through Node's built-in `node:sqlite` (no native addon). Kysely's SqliteDialect drives any database
 * object with better-sqlite3's `prepare()`/statement shape; `NodeSqliteDatabase` gives node:sqlite that shape.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync, StatementSync, SQLInputValue } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

type SqliteModule = typeof import('node:sqlite');
let loaded: Promise<SqliteModule> | undefined;

/**
 * Imports node:sqlite without its one-time "experimental feature" warning, which would otherwise land in the
 * middle of a run's output; every other warning still goes through.
 */
function loadSqlite(): Promise<SqliteModule> {
  loaded ??= (async () => {
    const emit = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const message = typeof warning === 'string' ? warning : warning.message;
      if (/SQLite is an experimental feature/i.test(message)) return;
      (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      return await import('node:sqlite');
    } finally {
      process.emitWarning = emit;
    }
  })();
  return loaded;
}

function params(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : (p as SQLInputValue)));
}

class NodeSqliteStatement implements SqliteStatement {
  private readonly stmt: StatementSync;
  private readonly db: DatabaseSync;
  private readonly sql: string;
  readonly reader: boolean;

  constructor(db: DatabaseSync, sql: string) {
    this.db = db;
    this.sql = sql;
    this.stmt = db.prepare(sql);
    this.reader = this.stmt.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.stmt.all(...params(parameters));
  }
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.stmt.run(...params(parameters));
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    // a statement of its own: an iteration stays open across awaits, while the cached one is used again
    return this.db.prepare(this.sql).iterate(...params(parameters));
  }
}

/** Prepared statements kept per SQL text (the queries are few and run often: a token check per request). */
const STATEMENTS_KEPT = 500;

class NodeSqliteDatabase implements SqliteDatabase {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, NodeSqliteStatement>();
  constructor(db: DatabaseSync) {
    this.db = db;
  }
  prepare(sql: string): SqliteStatement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= STATEMENTS_KEPT) this.statements.clear();
      s = new NodeSqliteStatement(this.db, sql);
      this.statements.set(sql, s);
    }
    return s;
  }
  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/**
 * Opens (creating it and its folder when missing) the SQLite file at `file`, or an in-memory database for
 * `:memory:`. WAL lets readers work while a run is being recorded; the busy timeout lets two CI jobs on one
 * machine take turns instead of failing.
 */
export async function openSqliteDialect(file: string): Promise<SqliteDialect> {
  const { DatabaseSync } = await loadSqlite();
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file, { timeout: 5000 });
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteDialect({ database: new NodeSqliteDatabase(db) });
}
