/**
 * Annotations: deployments and other events on a service's timeline (a time, or a time range), kept in the
 * relational store beside the run history and the alert store — SQLite by default, PostgreSQL by URL. The
 * dashboard draws them on the service charts and notifications cite recent deployments.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { guardStore, openOwnSchema } from '../store/own-schema.ts';

export interface Annotation {
  id: string;
  /** epoch ms */
  time: number;
  /** epoch ms; absent for a point in time */
  timeEnd?: number;
  service?: string;
  /** `deploy`, `incident`, `load-test`, `event`… */
  kind: string;
  version?: string;
  text: string;
  tags: string[];
  labels: Record<string, string>;
  /** epoch ms of the write */
  createdAt: number;
}

export type NewAnnotation = Omit<Annotation, 'id' | 'createdAt'> & { id?: string };

export interface AnnotationFilter {
  service?: string;
  kind?: string;
  /** annotations that end at or after `from` (epoch ms) */
  from?: number;
  /** annotations that start at or before `to` (epoch ms) */
  to?: number;
  /** newest first; 1,000 when not given */
  limit?: number;
}

export interface AnnotationStore {
  readonly description: string;
  add(annotation: NewAnnotation, now: number): Promise<Annotation>;
  /** newest first */
  list(filter?: AnnotationFilter): Promise<Annotation[]>;
  /** false when there was no such annotation */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}

interface Tables {
  telltale_annotations: {
    id: string;
    time: number;
    time_end: number;
    service: string | null;
    kind: string;
    version: string | null;
    text: string;
    tags: string;
    labels: string;
    created_at: number;
  };
}

const MIGRATIONS: Record<string, Migration> = {
  '0001-annotations': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('telltale_annotations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('time', 'bigint', (c) => c.notNull())
        // equal to time for a point annotation, so one range test covers both
        .addColumn('time_end', 'bigint', (c) => c.notNull())
        .addColumn('service', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('telltale_annotations_service_time').on('telltale_annotations').columns(['service', 'time']).execute();
    },
  },
};

export const DEFAULT_ANNOTATION_LIMIT = 1000;

class KyselyAnnotationStore implements AnnotationStore {
  readonly description: string;
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>, description: string) {
    this.db = db;
    this.description = description;
  }

  private guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return guardStore(`annotation store ${this.description}`, what, fn);
  }

  async add(a: NewAnnotation, now: number): Promise<Annotation> {
    now = Math.round(now);
    const out: Annotation = {
      id: a.id ?? randomUUID(), time: Math.round(a.time), ...(a.timeEnd !== undefined ? { timeEnd: Math.round(a.timeEnd) } : {}),
      ...(a.service !== undefined ? { service: a.service } : {}), kind: a.kind, ...(a.version !== undefined ? { version: a.version } : {}),
      text: a.text, tags: [...a.tags], labels: { ...a.labels }, createdAt: now,
    };
    await this.guard('write an annotation', () =>
      this.db
        .insertInto('telltale_annotations')
        .values({
          id: out.id, time: out.time, time_end: out.timeEnd ?? out.time, service: out.service ?? null, kind: out.kind, version: out.version ?? null,
          text: out.text, tags: JSON.stringify(out.tags), labels: JSON.stringify(out.labels), created_at: now,
        })
        .execute(),
    );
    return out;
  }

  async list(filter: AnnotationFilter = {}): Promise<Annotation[]> {
    let q = this.db.selectFrom('telltale_annotations').selectAll();
    if (filter.service !== undefined) q = q.where('service', '=', filter.service);
    if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
    // whole milliseconds: PostgreSQL's bigint takes no fractions, and a clock may give some
    if (filter.from !== undefined) q = q.where('time_end', '>=', Math.floor(filter.from));
    if (filter.to !== undefined) q = q.where('time', '<=', Math.ceil(filter.to));
    const rows = await this.guard('read annotations', () => q.orderBy('time', 'desc').orderBy('id').limit(filter.limit ?? DEFAULT_ANNOTATION_LIMIT).execute());
    return rows.map((r) => {
      const time = Number(r.time);
      const end = Number(r.time_end);
      return {
        id: r.id, time, ...(end !== time ? { timeEnd: end } : {}), ...(r.service !== null ? { service: r.service } : {}), kind: r.kind,
        ...(r.version !== null ? { version: r.version } : {}), text: r.text, tags: JSON.parse(r.tags) as string[],
        labels: JSON.parse(r.labels) as Record<string, string>, createdAt: Number(r.created_at),
      };
    });
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.guard('delete an annotation', () => this.db.deleteFrom('telltale_annotations').where('id', '=', id).executeTakeFirst());
    return Number(r.numDeletedRows) > 0;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Opens the annotation store: a `postgres://` URL (with an optional `?schema=`), a SQLite file path, or `:memory:`. */
export async function openAnnotationStore(spec: string): Promise<AnnotationStore> {
  const { db, description } = await openOwnSchema<Tables>(spec, { what: 'annotation store', migrations: MIGRATIONS, migrationTable: 'telltale_annotations_migration' });
  return new KyselyAnnotationStore(db, description);
}
