/**
 * Annotations over HTTP: `POST /api/telltale/annotations` (a deployment or another event; Grafana's
 * annotation body — time, timeEnd, text, tags — is accepted as it is), `GET /api/telltale/annotations`
 * filtered by `service`, `kind`, `from` and `to` (newest first; `format=grafana` answers Grafana's plain
 * array), and `DELETE /api/telltale/annotations/:id`. Times are epoch milliseconds or RFC 3339.
 */
import { z } from 'zod';
import { TelltaleError } from '../../errors.ts';
import type { Annotation, AnnotationFilter, AnnotationStore, NewAnnotation } from '../../annotations/annotation-store.ts';
import type { RoutePlugin } from '../app.ts';

export interface AnnotationRouteOptions {
  store: AnnotationStore;
  now: () => number;
}

const MAX_LIMIT = 10_000;

/** Epoch ms, or an RFC 3339 string; undefined when it is neither. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && Number.isInteger(value) && Math.abs(value) < 8.64e15 ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^-?\d+$/.test(value.trim())) return parseTime(Number(value.trim()));
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

const time = z.union([z.number(), z.string()]).refine((v) => parseTime(v) !== undefined, 'expected epoch milliseconds or an RFC 3339 time');
const text = (max: number) => z.string().max(max);

export const annotationBody = z
  .object({
    time: time.optional(),
    timeEnd: time.optional(),
    service: text(200).min(1).optional(),
    kind: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1 to 64 letters, digits, ".", "_" or "-"').optional(),
    version: text(200).optional(),
    text: text(10_000).optional(),
    tags: z.array(text(200)).max(50).optional(),
    labels: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a label name'), text(1000)).optional(),
    // Grafana's annotation body carries these; they mean nothing here
    dashboardUID: z.string().optional(),
    dashboardId: z.number().optional(),
    panelId: z.number().optional(),
  })
  .strict();

function inputError(field: string, message: string): TelltaleError {
  return new TelltaleError('TT_ANNOTATION_INPUT', `${field}: ${message}`, { field });
}

/** A validated annotation from a request body (times default to now); throws TT_ANNOTATION_INPUT naming the field. */
export function toAnnotation(body: unknown, now: number): NewAnnotation {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw inputError('body', 'expected a JSON object');
  const r = annotationBody.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const field = keys.length > 0 ? [...path, keys[0]].join('.') : path.join('.') || 'body';
    throw inputError(field, keys.length > 0 ? 'unknown field' : issue.message);
  }
  const b = r.data;
  const start = b.time === undefined ? now : parseTime(b.time)!;
  const end = b.timeEnd === undefined ? undefined : parseTime(b.timeEnd)!;
  if (end !== undefined && end < start) throw inputError('timeEnd', 'is before time');
  return {
    time: start,
    ...(end !== undefined && end !== start ? { timeEnd: end } : {}),
    ...(b.service !== undefined ? { service: b.service } : {}),
    kind: b.kind ?? 'event',
    ...(b.version !== undefined ? { version: b.version } : {}),
    text: b.text ?? '',
    tags: b.tags ?? [],
    labels: b.labels ?? {},
  };
}

interface ListQuery {
  service?: string;
  kind?: string;
  from?: string;
  to?: string;
  limit?: string;
  format?: string;
}

export function annotationFilter(q: ListQuery): AnnotationFilter {
  const filter: AnnotationFilter = {};
  if (q.service) filter.service = q.service;
  if (q.kind) filter.kind = q.kind;
  for (const key of ['from', 'to'] as const) {
    const v = q[key];
    if (v === undefined || v === '') continue;
    const t = parseTime(v);
    if (t === undefined) throw inputError(key, `expected epoch milliseconds or an RFC 3339 time, got ${JSON.stringify(v)}`);
    filter[key] = t;
  }
  if (q.limit !== undefined && q.limit !== '') {
    const n = Number(q.limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw inputError('limit', `expected a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(q.limit)}`);
    filter.limit = n;
  }
  if (q.format !== undefined && q.format !== 'grafana' && q.format !== '') throw inputError('format', `expected "grafana", got ${JSON.stringify(q.format)}`);
  return filter;
}

/** Grafana's annotation shape (`GET /api/annotations`). */
export function grafanaAnnotation(a: Annotation) {
  const tags = [...a.tags];
  if (a.service !== undefined && !tags.includes(a.service)) tags.push(a.service);
  if (!tags.includes(a.kind)) tags.push(a.kind);
  const text = a.version !== undefined && a.text === '' ? `${a.kind} ${a.version}` : a.text;
  return { id: a.id, time: a.time, timeEnd: a.timeEnd ?? a.time, text, tags };
}

export function annotationRoutes(options: AnnotationRouteOptions): RoutePlugin {
  const { store } = options;
  return (app) => {
    app.post('/api/telltale/annotations', async (request, reply) => {
      // whole milliseconds: the wall clock may have fractions, the columns do not
      const now = Math.round(options.now());
      const added = await store.add(toAnnotation(request.body, now), now);
      return reply.status(201).send({ status: 'success', data: added });
    });
    app.get<{ Querystring: ListQuery }>('/api/telltale/annotations', async (request) => {
      const filter = annotationFilter(request.query);
      const list = await store.list(filter);
      return request.query.format === 'grafana' ? list.map(grafanaAnnotation) : { status: 'success', data: list };
    });
    app.delete<{ Params: { id: string } }>('/api/telltale/annotations/:id', async (request, reply) => {
      if (!(await store.delete(request.params.id))) {
        const e = new TelltaleError('TT_ANNOTATION_NOT_FOUND', `no annotation with id ${JSON.stringify(request.params.id)}`);
        return reply.status(404).send({ status: 'error', errorType: 'not_found', error: e.message, code: e.code });
      }
      return { status: 'success', data: { id: request.params.id } };
    });
  };
}
