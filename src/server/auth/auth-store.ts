/**
 * Users, login sessions and API tokens, on Kysely over node:sqlite or PostgreSQL (the engines of the run
 * and alert stores), with a migration table of its own so it can share their database. Session ids and
 * tokens are kept only as SHA-256 digests; passwords only as scrypt hashes.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { guardStore, openOwnSchema } from '../../store/own-schema.ts';
import type { Role, Scope } from './permissions.ts';

export interface User {
  username: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

export interface Session {
  /** SHA-256 of the cookie's value */
  idHash: string;
  username: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApiToken {
  id: string;
  name: string;
  /** SHA-256 of the token */
  hash: string;
  scopes: Scope[];
  createdAt: number;
  createdBy: string;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface AuthStore {
  readonly description: string;
  countUsers(): Promise<number>;
  getUser(username: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** false when the name is taken */
  createUser(user: User): Promise<boolean>;
  updateUser(username: string, change: { role?: Role; passwordHash?: string; updatedAt: number }): Promise<boolean>;
  /** Deletes the user and their sessions. */
  deleteUser(username: string): Promise<boolean>;
  createSession(session: Session): Promise<void>;
  /** The session with this id digest and its user, when both exist. */
  getSession(idHash: string): Promise<{ session: Session; user: User } | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Deletes the user's sessions, except `keep`. */
  deleteSessionsOf(username: string, keep?: string): Promise<void>;
  pruneSessions(before: number): Promise<number>;
  /** false when the name is taken by a token that is not revoked */
  createToken(token: ApiToken): Promise<boolean>;
  getTokenByHash(hash: string): Promise<ApiToken | undefined>;
  listTokens(): Promise<ApiToken[]>;
  touchToken(id: string, at: number): Promise<void>;
  /** false when no unrevoked token has this id */
  revokeToken(id: string, at: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Tables {
  auth_users: { username: string; role: string; password_hash: string; created_at: number; updated_at: number };
  auth_sessions: { id_hash: string; username: string; csrf_token: string; created_at: number; expires_at: number };
  auth_tokens: {
    id: string;
    name: string;
    hash: string;
    scopes: string;
    created_at: number;
    created_by: string;
    last_used_at: number | null;
    expires_at: number | null;
    revoked_at: number | null;
  };
}

const MIGRATIONS: Record<string, Migration> = {
  '0001-auth': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('auth_users')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('auth_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('auth_sessions_username').on('auth_sessions').column('username').execute();
      await db.schema
        .createTable('auth_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
    },
  },
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toUser(r: Tables['auth_users']): User {
  return { username: r.username, role: r.role as Role, passwordHash: r.password_hash, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

function toToken(r: Tables['auth_tokens']): ApiToken {
  return {
    id: r.id,
    name: r.name,
    hash: r.hash,
    scopes: JSON.parse(r.scopes) as Scope[],
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    lastUsedAt: num(r.last_used_at),
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
  };
}

class KyselyAuthStore implements AuthStore {
  readonly description: string;
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>, description: string) {
    this.db = db;
    this.description = description;
  }

  private guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return guardStore(`auth store ${this.description}`, what, fn);
  }

  async countUsers(): Promise<number> {
    const r = await this.guard('count users', () => this.db.selectFrom('auth_users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow());
    return Number(r.n);
  }

  async getUser(username: string): Promise<User | undefined> {
    const r = await this.guard('read a user', () => this.db.selectFrom('auth_users').selectAll().where('username', '=', username).executeTakeFirst());
    return r && toUser(r);
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.guard('list users', () => this.db.selectFrom('auth_users').selectAll().orderBy('username').execute());
    return rows.map(toUser);
  }

  async createUser(u: User): Promise<boolean> {
    const r = await this.guard('create a user', () =>
      this.db
        .insertInto('auth_users')
        .values({ username: u.username, role: u.role, password_hash: u.passwordHash, created_at: u.createdAt, updated_at: u.updatedAt })
        .onConflict((oc) => oc.column('username').doNothing())
        .executeTakeFirst(),
    );
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateUser(username: string, change: { role?: Role; passwordHash?: string; updatedAt: number }): Promise<boolean> {
    const r = await this.guard('update a user', () =>
      this.db
        .updateTable('auth_users')
        .set({ updated_at: change.updatedAt, ...(change.role ? { role: change.role } : {}), ...(change.passwordHash ? { password_hash: change.passwordHash } : {}) })
        .where('username', '=', username)
        .executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteUser(username: string): Promise<boolean> {
    return this.guard('delete a user', async () => {
      await this.db.deleteFrom('auth_sessions').where('username', '=', username).execute();
      const r = await this.db.deleteFrom('auth_users').where('username', '=', username).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  async createSession(s: Session): Promise<void> {
    await this.guard('create a session', () =>
      this.db.insertInto('auth_sessions').values({ id_hash: s.idHash, username: s.username, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt }).execute(),
    );
  }

  async getSession(idHash: string): Promise<{ session: Session; user: User } | undefined> {
    const r = await this.guard('read a session', () =>
      this.db
        .selectFrom('auth_sessions as s')
        .innerJoin('auth_users as u', 'u.username', 's.username')
        .select(['s.id_hash', 's.username', 's.csrf_token', 's.created_at', 's.expires_at', 'u.role', 'u.password_hash', 'u.created_at as user_created_at', 'u.updated_at'])
        .where('s.id_hash', '=', idHash)
        .executeTakeFirst(),
    );
    if (!r) return undefined;
    return {
      session: { idHash: r.id_hash, username: r.username, csrfToken: r.csrf_token, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) },
      user: toUser({ username: r.username, role: r.role, password_hash: r.password_hash, created_at: r.user_created_at, updated_at: r.updated_at }),
    };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.guard('delete a session', () => this.db.deleteFrom('auth_sessions').where('id_hash', '=', idHash).execute());
  }

  async deleteSessionsOf(username: string, keep?: string): Promise<void> {
    await this.guard('delete sessions', () => {
      let q = this.db.deleteFrom('auth_sessions').where('username', '=', username);
      if (keep !== undefined) q = q.where('id_hash', '!=', keep);
      return q.execute();
    });
  }

  async pruneSessions(before: number): Promise<number> {
    const r = await this.guard('prune sessions', () => this.db.deleteFrom('auth_sessions').where('expires_at', '<', before).executeTakeFirst());
    return Number(r.numDeletedRows);
  }

  async createToken(t: ApiToken): Promise<boolean> {
    return this.guard('create a token', async () => {
      const taken = await this.db.selectFrom('auth_tokens').select('id').where('name', '=', t.name).where('revoked_at', 'is', null).executeTakeFirst();
      if (taken) return false;
      await this.db
        .insertInto('auth_tokens')
        .values({
          id: t.id,
          name: t.name,
          hash: t.hash,
          scopes: JSON.stringify(t.scopes),
          created_at: t.createdAt,
          created_by: t.createdBy,
          last_used_at: t.lastUsedAt,
          expires_at: t.expiresAt,
          revoked_at: t.revokedAt,
        })
        .execute();
      return true;
    });
  }

  async getTokenByHash(hash: string): Promise<ApiToken | undefined> {
    const r = await this.guard('read a token', () => this.db.selectFrom('auth_tokens').selectAll().where('hash', '=', hash).executeTakeFirst());
    return r && toToken(r);
  }

  async listTokens(): Promise<ApiToken[]> {
    const rows = await this.guard('list tokens', () => this.db.selectFrom('auth_tokens').selectAll().orderBy('created_at').orderBy('id').execute());
    return rows.map(toToken);
  }

  async touchToken(id: string, at: number): Promise<void> {
    await this.guard('update a token', () => this.db.updateTable('auth_tokens').set({ last_used_at: at }).where('id', '=', id).execute());
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const r = await this.guard('revoke a token', () =>
      this.db.updateTable('auth_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Opens the auth store: a `postgres://` URL (with an optional `?schema=`), a SQLite file path, or `:memory:`. */
export async function openAuthStore(spec: string): Promise<AuthStore> {
  const { db, description } = await openOwnSchema<Tables>(spec, { what: 'auth store', migrationTable: 'telltale_auth_migration', migrations: MIGRATIONS });
  return new KyselyAuthStore(db, description);
}
