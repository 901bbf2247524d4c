/**
 * What the dispatcher keeps across restarts — the notification log (so a restart does not page twice),
 * silences and acknowledgements — behind one small interface, on Kysely over node:sqlite or PostgreSQL
 * (the engines the run store uses). Its own migration table keeps it independent of the run store's
 * schema history, so both can share one database.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { guardStore, openOwnSchema } from '../store/own-schema.ts';
import type { Silence } from './silence-model.ts';

export interface NotificationLogEntry {
  groupKey: string;
  /** `receiver/integration[i]`, or an escalation step's key */
  receiver: string;
  /** fingerprints notified as firing / resolved */
  firing: string[];
  resolved: string[];
  /** epoch ms of the successful send */
  sentAt: number;
}

export interface AckRecord {
  /** an alert fingerprint or a group key */
  target: string;
  acknowledged: boolean;
  by: string;
  comment: string;
  /** epoch ms of the acknowledgement, or of the unacknowledgement that restarted escalation */
  at: number;
}

export interface AlertStore {
  readonly description: string;
  getNotification(groupKey: string, receiver: string): Promise<NotificationLogEntry | undefined>;
  putNotification(entry: NotificationLogEntry): Promise<void>;
  /** Forgets entries sent before `before` (Alertmanager keeps its log for the repeat interval plus a margin). */
  pruneNotifications(before: number): Promise<number>;
  listSilences(): Promise<Silence[]>;
  putSilence(silence: Silence): Promise<void>;
  listAcks(): Promise<AckRecord[]>;
  putAck(ack: AckRecord): Promise<void>;
  deleteAck(target: string): Promise<void>;
  close(): Promise<void>;
}

interface Tables {
  alerting_nflog: { group_key: string; receiver: string; firing: string; resolved: string; sent_at: number };
  alerting_silences: { id: string; document: string; updated_at: number };
  alerting_acks: { target: string; acknowledged: number; by_whom: string; comment: string; at: number };
}

const MIGRATIONS: Record<string, Migration> = {
  '0001-alerting': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('alerting_nflog')
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('receiver', 'text', (c) => c.notNull())
        .addColumn('firing', 'text', (c) => c.notNull())
        .addColumn('resolved', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('alerting_nflog_pk', ['group_key', 'receiver'])
        .execute();
      await db.schema
        .createTable('alerting_silences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('alerting_acks')
        .addColumn('target', 'text', (c) => c.primaryKey())
        .addColumn('acknowledged', 'integer', (c) => c.notNull())
        .addColumn('by_whom', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};

class KyselyAlertStore implements AlertStore {
  readonly description: string;
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>, description: string) {
    this.db = db;
    this.description = description;
  }

  private guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return guardStore(`alert store ${this.description}`, what, fn);
  }

  async getNotification(groupKey: string, receiver: string): Promise<NotificationLogEntry | undefined> {
    const row = await this.guard('read the notification log', () =>
      this.db.selectFrom('alerting_nflog').selectAll().where('group_key', '=', groupKey).where('receiver', '=', receiver).executeTakeFirst(),
    );
    if (!row) return undefined;
    return { groupKey, receiver, firing: JSON.parse(row.firing), resolved: JSON.parse(row.resolved), sentAt: Number(row.sent_at) };
  }

  async putNotification(e: NotificationLogEntry): Promise<void> {
    const values = { group_key: e.groupKey, receiver: e.receiver, firing: JSON.stringify(e.firing), resolved: JSON.stringify(e.resolved), sent_at: e.sentAt };
    await this.guard('write the notification log', () =>
      this.db
        .insertInto('alerting_nflog')
        .values(values)
        .onConflict((oc) => oc.columns(['group_key', 'receiver']).doUpdateSet({ firing: values.firing, resolved: values.resolved, sent_at: values.sent_at }))
        .execute(),
    );
  }

  async pruneNotifications(before: number): Promise<number> {
    const r = await this.guard('prune the notification log', () => this.db.deleteFrom('alerting_nflog').where('sent_at', '<', before).executeTakeFirst());
    return Number(r.numDeletedRows);
  }

  async listSilences(): Promise<Silence[]> {
    const rows = await this.guard('read silences', () => this.db.selectFrom('alerting_silences').select('document').execute());
    return rows.map((r) => JSON.parse(r.document) as Silence);
  }

  async putSilence(s: Silence): Promise<void> {
    const document = JSON.stringify(s);
    await this.guard(`write silence ${s.id}`, () =>
      this.db
        .insertInto('alerting_silences')
        .values({ id: s.id, document, updated_at: s.updatedAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ document, updated_at: s.updatedAt }))
        .execute(),
    );
  }

  async listAcks(): Promise<AckRecord[]> {
    const rows = await this.guard('read acknowledgements', () => this.db.selectFrom('alerting_acks').selectAll().execute());
    return rows.map((r) => ({ target: r.target, acknowledged: Number(r.acknowledged) === 1, by: r.by_whom, comment: r.comment, at: Number(r.at) }));
  }

  async putAck(a: AckRecord): Promise<void> {
    const values = { target: a.target, acknowledged: a.acknowledged ? 1 : 0, by_whom: a.by, comment: a.comment, at: a.at };
    await this.guard('write an acknowledgement', () =>
      this.db
        .insertInto('alerting_acks')
        .values(values)
        .onConflict((oc) => oc.column('target').doUpdateSet({ acknowledged: values.acknowledged, by_whom: a.by, comment: a.comment, at: a.at }))
        .execute(),
    );
  }

  async deleteAck(target: string): Promise<void> {
    await this.guard('delete an acknowledgement', () => this.db.deleteFrom('alerting_acks').where('target', '=', target).execute());
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Opens the alert store: a `postgres://` URL (with an optional `?schema=`), a SQLite file path, or `:memory:`. */
export async function openAlertStore(spec: string): Promise<AlertStore> {
  const { db, description } = await openOwnSchema<Tables>(spec, { what: 'alert store', migrations: MIGRATIONS, migrationTable: 'telltale_alerting_migration' });
  return new KyselyAlertStore(db, description);
}
