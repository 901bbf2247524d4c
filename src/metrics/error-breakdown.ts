/**
 * Failed requests grouped by (kind, request name, method), with the first error message of each group.
 * The number of distinct groups is bounded; failures past the bound are counted in one `other` row.
 */
import type { ErrorBreakdownRow } from '../load/summary/types.ts';
import type { ErrorDelta } from './delta.ts';
import type { Tags } from './types.ts';

export const MAX_ERROR_ROWS = 1000;
export const OTHER_KIND = 'other';
const OTHER_KEY = '\u0000other';

interface Row {
  kind: string;
  name: string;
  method: string;
  count: number;
  message?: string;
}

/** `status 503` for an HTTP error status, else `error_code 1211` (k6's error codes for transport errors). */
export function errorKind(tags: Tags): string {
  const status = tags.status;
  if (status !== undefined && status !== '' && status !== '0') return `status ${status}`;
  return `error_code ${tags.error_code ?? 'unknown'}`;
}

class RowTable {
  readonly rows = new Map<string, Row>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  row(kind: string, name: string, method: string, message: string | undefined): Row {
    const key = kind === OTHER_KIND && name === '' && method === '' ? OTHER_KEY : `${kind}\u0000${name}\u0000${method}`;
    let row = this.rows.get(key);
    if (row !== undefined) {
      if (row.message === undefined && message !== undefined) row.message = message;
      return row;
    }
    if (key !== OTHER_KEY && this.rows.size - (this.rows.has(OTHER_KEY) ? 1 : 0) >= this.limit) {
      return this.row(OTHER_KIND, '', '', undefined);
    }
    row = { kind, name, method, count: 0 };
    if (message !== undefined) row.message = message;
    this.rows.set(key, row);
    return row;
  }
}

/** A worker's failures since its last flush. */
export class ErrorAccumulator {
  private table: RowTable;
  /** Producers share one tags object across the samples of a request, so this skips rebuilding the key. */
  private byTags = new WeakMap<Tags, Row>();
  private readonly limit: number;

  constructor(limit = MAX_ERROR_ROWS) {
    this.limit = limit;
    this.table = new RowTable(limit);
  }

  record(tags: Tags): void {
    let row = this.byTags.get(tags);
    if (row === undefined) {
      const error = tags.error;
      row = this.table.row(errorKind(tags), tags.name ?? '', tags.method ?? '', error === '' ? undefined : error);
      this.byTags.set(tags, row);
    }
    row.count++;
  }

  drain(): ErrorDelta[] {
    if (this.table.rows.size === 0) return [];
    const out: ErrorDelta[] = [];
    for (const r of this.table.rows.values()) out.push({ ...r });
    this.table = new RowTable(this.limit);
    this.byTags = new WeakMap();
    return out;
  }
}

/** The failures of the whole run. */
export class ErrorBreakdown {
  private readonly table: RowTable;

  constructor(limit = MAX_ERROR_ROWS) {
    this.table = new RowTable(limit);
  }

  merge(deltas: readonly ErrorDelta[]): void {
    for (const d of deltas) this.table.row(d.kind, d.name, d.method, d.message).count += d.count;
  }

  /** Rows by count, highest first. */
  rows(): ErrorBreakdownRow[] {
    const rows = [...this.table.rows.values()].map((r) => ({ ...r }));
    return rows.sort((a, b) => b.count - a.count);
  }
}
