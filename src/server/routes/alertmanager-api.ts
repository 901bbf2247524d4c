/**
 * Alertmanager's API v2 on Telltale's server, so an external Prometheus (`alerting.alertmanagers`), amtool
 * and Grafana can talk to Telltale as to an Alertmanager: alerts in and out, silences, status. Telltale adds
 * acknowledgement: `POST /api/v2/alerts/:fingerprint/ack` (and `/unack`), and the same for whole groups at
 * `POST /api/v2/alerts/groups/ack` with `{"groupKey": ...}`. Errors are JSON `{code, message, field}` with
 * 400 for malformed input and 404 for unknown ids.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AlertingApi } from '../../alerting/api.ts';
import { TelltaleError, isTelltaleError } from '../../errors.ts';
import type { SilenceInput } from '../../alerting/silence-model.ts';

export interface AlertmanagerApiDeps {
  api: AlertingApi;
}

function bad(field: string, message: string): never {
  throw new TelltaleError('TT_ALERTING_INPUT', `${field}: ${message}`, { field });
}

function list(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function flag(q: Record<string, unknown>, name: string): boolean | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (v === 'true' || v === true) return true;
  if (v === 'false' || v === false) return false;
  return bad(name, `expected true or false, got ${JSON.stringify(v)}`);
}

function time(v: unknown, field: string): number {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(v) || !Number.isFinite(Date.parse(v))) bad(field, 'expected an RFC 3339 time');
  return Date.parse(v);
}

function str(v: unknown, field: string, required = true): string {
  if (v === undefined && !required) return '';
  if (typeof v !== 'string') bad(field, 'expected a string');
  return v;
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(field, 'expected a JSON object');
  return v as Record<string, unknown>;
}

/** A PostableSilence body. */
export function parsePostableSilence(body: unknown): SilenceInput {
  const b = object(body, 'body');
  if (!Array.isArray(b.matchers)) bad('matchers', 'expected an array of matchers');
  const matchers = b.matchers.map((m: unknown, i: number) => {
    const o = object(m, `matchers[${i}]`);
    if (typeof o.isRegex !== 'boolean') bad(`matchers[${i}].isRegex`, 'expected true or false');
    if (o.isEqual !== undefined && typeof o.isEqual !== 'boolean') bad(`matchers[${i}].isEqual`, 'expected true or false');
    return { name: str(o.name, `matchers[${i}].name`), value: str(o.value, `matchers[${i}].value`), isRegex: o.isRegex, isEqual: o.isEqual !== false };
  });
  const input: SilenceInput = {
    matchers,
    startsAt: time(b.startsAt, 'startsAt'),
    endsAt: time(b.endsAt, 'endsAt'),
    createdBy: str(b.createdBy, 'createdBy'),
    comment: str(b.comment, 'comment'),
  };
  if (b.id !== undefined && b.id !== '') input.id = str(b.id, 'id');
  return input;
}

function statusOf(err: TelltaleError): number {
  if (err.code === 'TT_ALERTING_NOT_FOUND') return 404;
  if (err.code === 'TT_ALERTING_INPUT') return 400;
  if (err.code === 'TT_STORE_UNAVAILABLE') return 503;
  return 500;
}

export async function registerAlertmanagerApi(app: FastifyInstance, deps: AlertmanagerApiDeps): Promise<void> {
  const { api } = deps;
  await app.register(async (scope) => {
    scope.setErrorHandler((err: FastifyError | TelltaleError, _req: FastifyRequest, reply: FastifyReply) => {
      if (isTelltaleError(err)) {
        return reply.code(statusOf(err)).send({ code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
      }
      const status = (err as FastifyError).statusCode ?? 500;
      if (status >= 400 && status < 500) return reply.code(status).send({ code: 'TT_ALERTING_INPUT', message: `body: ${err.message}` });
      return reply.code(500).send({ code: 'TT_INTERNAL', message: err.message });
    });

    scope.post('/api/v2/alerts', async (req, reply) => {
      api.postAlerts(req.body);
      return reply.code(200).send();
    });

    scope.get('/api/v2/alerts', async (req) => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      const f: Parameters<AlertingApi['listAlerts']>[0] = { filter: list(q.filter) };
      for (const k of ['active', 'silenced', 'inhibited'] as const) {
        const v = flag(q, k);
        if (v !== undefined) f[k] = v;
      }
      flag(q, 'unprocessed');
      if (q.receiver !== undefined) f.receiver = String(q.receiver);
      return api.listAlerts(f);
    });

    scope.get('/api/v2/alerts/groups', async () =>
      api.listGroups().map((g) => ({ labels: g.labels, receiver: g.receiver, alerts: g.alerts, groupKey: g.groupKey, ...(g.acknowledgement ? { acknowledgement: g.acknowledgement } : {}), ...(g.escalation ? { escalation: g.escalation } : {}) })),
    );

    const ackBody = (body: unknown) => {
      const b = object(body ?? {}, 'body');
      return { by: str(b.by, 'by'), comment: str(b.comment, 'comment', false) };
    };
    scope.post('/api/v2/alerts/:fingerprint/ack', async (req) => {
      const { by, comment } = ackBody(req.body);
      const rec = await api.ack((req.params as { fingerprint: string }).fingerprint, by, comment);
      return { target: rec.target, acknowledged: true, by: rec.by, at: new Date(rec.at).toISOString(), comment: rec.comment };
    });
    scope.post('/api/v2/alerts/:fingerprint/unack', async (req) => {
      const { by } = ackBody(req.body);
      const rec = await api.unack((req.params as { fingerprint: string }).fingerprint, by);
      return { target: rec.target, acknowledged: false, by: rec.by, at: new Date(rec.at).toISOString() };
    });
    scope.post('/api/v2/alerts/groups/ack', async (req) => {
      const b = object(req.body ?? {}, 'body');
      const { by, comment } = ackBody(b);
      const rec = await api.ack(str(b.groupKey, 'groupKey'), by, comment);
      return { target: rec.target, acknowledged: true, by: rec.by, at: new Date(rec.at).toISOString(), comment: rec.comment };
    });
    scope.post('/api/v2/alerts/groups/unack', async (req) => {
      const b = object(req.body ?? {}, 'body');
      const rec = await api.unack(str(b.groupKey, 'groupKey'), str(b.by, 'by'));
      return { target: rec.target, acknowledged: false, by: rec.by, at: new Date(rec.at).toISOString() };
    });

    scope.get('/api/v2/silences', async (req) => api.silences.list(list((req.query as Record<string, unknown>).filter)));
    scope.post('/api/v2/silences', async (req) => {
      const input = parsePostableSilence(req.body);
      const silenceID = input.id ? await api.silences.update(input.id, input) : await api.silences.create(input);
      return { silenceID };
    });
    scope.get('/api/v2/silence/:id', async (req) => api.silences.get((req.params as { id: string }).id));
    scope.delete('/api/v2/silence/:id', async (req, reply) => {
      await api.silences.expire((req.params as { id: string }).id);
      return reply.code(200).send();
    });

    scope.get('/api/v2/status', async () => api.status());
    scope.get('/api/v2/receivers', async () => [...api.dispatcher.config.receivers.keys()].map((name) => ({ name })));
  });
}
