/**
 * Who may do what. A request needs one permission; users get theirs from their role, API tokens from
 * their scopes. `admin` includes every other permission.
 *
 *   read        Prometheus query API, the Alertmanager API's reads, the dashboard's REST reads
 *   write       silences, acknowledgements (what a dashboard user changes)
 *   ingest      remote_write, OTLP metrics, alerts pushed by an external Prometheus
 *   runs:write  recording load runs
 *   admin       users and tokens
 *
 * Every route has a rule here, or declares `config: { permission }` in its own route options (which wins).
 * A route with neither is refused to everyone but admins; test/server/auth-permissions.test.ts fails
 * when one exists.
 */
import { CLIENT_ROUTES } from '../routes/dashboard.ts';

export const SCOPES = ['read', 'write', 'ingest', 'runs:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** `public`: no credentials needed; `user`: any logged-in user or valid token. */
export type Permission = Scope | 'public' | 'user';

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  viewer: ['read'],
  editor: ['read', 'write'],
  admin: ['admin'],
};

export function isScope(v: unknown): v is Scope {
  return typeof v === 'string' && (SCOPES as readonly string[]).includes(v);
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** Whether holding `granted` allows `needed`. */
export function allows(granted: readonly Scope[], needed: Permission): boolean {
  if (needed === 'public' || needed === 'user') return true;
  return granted.includes('admin') || granted.includes(needed);
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `METHOD url` (fastify's route pattern) → permission; GET rules cover HEAD. */
const RULES: Record<string, Permission> = {
  // the server's own health and metrics, open as in Prometheus
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /api/v1/status/telltale': 'read',
  // Prometheus HTTP API: POST forms of queries are reads
  ...both('/api/v1/query', 'read'),
  ...both('/api/v1/query_range', 'read'),
  ...both('/api/v1/series', 'read'),
  ...both('/api/v1/labels', 'read'),
  ...both('/api/v1/format_query', 'read'),
  'GET /api/v1/label/:name/values': 'read',
  'GET /api/v1/metadata': 'read',
  ...both('/api/v1/query_exemplars', 'read'),
  'GET /api/v1/status/buildinfo': 'read',
  'GET /api/v1/rules': 'read',
  'GET /api/v1/alerts': 'read',
  // push ingest
  'POST /api/v1/write': 'ingest',
  'POST /v1/metrics': 'ingest',
  // Alertmanager API v2
  'POST /api/v2/alerts': 'ingest',
  'GET /api/v2/alerts': 'read',
  'GET /api/v2/alerts/groups': 'read',
  'POST /api/v2/alerts/:fingerprint/ack': 'write',
  'POST /api/v2/alerts/:fingerprint/unack': 'write',
  'POST /api/v2/alerts/groups/ack': 'write',
  'POST /api/v2/alerts/groups/unack': 'write',
  'GET /api/v2/silences': 'read',
  'POST /api/v2/silences': 'write',
  'GET /api/v2/silence/:id': 'read',
  'DELETE /api/v2/silence/:id': 'write',
  'GET /api/v2/status': 'read',
  'GET /api/v2/receivers': 'read',
  // heartbeat pings carry their check's own secret token in the URL, so cron jobs need nothing else
  'GET /api/v1/heartbeat/:token': 'public',
  'POST /api/v1/heartbeat/:token': 'public',
  'GET /api/v1/heartbeat/:token/fail': 'public',
  'POST /api/v1/heartbeat/:token/fail': 'public',
  // checks
  'GET /probe': 'read',
  'GET /api/v1/checks': 'read',
  'GET /api/v1/checks/:name/results': 'read',
  'GET /api/v1/checks/:name/uptime': 'read',
  // dashboard REST
  'GET /api/telltale/services': 'read',
  'GET /api/telltale/services/:name': 'read',
  'GET /api/telltale/runs': 'read',
  'POST /api/telltale/runs': 'runs:write',
  'GET /api/telltale/runs/:id': 'read',
  'GET /api/telltale/runs/:a/compare/:b': 'read',
  // annotations (deployments ...): CI records them with a write token
  'GET /api/telltale/annotations': 'read',
  'POST /api/telltale/annotations': 'write',
  'DELETE /api/telltale/annotations/:id': 'write',
  // reloading the config changes what the server runs
  'POST /-/reload': 'admin',
  'POST /api/telltale/reload': 'admin',
  // sessions and accounts
  'POST /api/telltale/login': 'public',
  'POST /api/telltale/logout': 'public',
  'GET /api/telltale/me': 'user',
  'POST /api/telltale/me/password': 'user',
  'GET /api/telltale/users': 'admin',
  'POST /api/telltale/users': 'admin',
  'PATCH /api/telltale/users/:username': 'admin',
  'DELETE /api/telltale/users/:username': 'admin',
  'GET /api/telltale/tokens': 'admin',
  'POST /api/telltale/tokens': 'admin',
  'DELETE /api/telltale/tokens/:id': 'admin',
};

function both(url: string, p: Permission): Record<string, Permission> {
  return { [`GET ${url}`]: p, [`POST ${url}`]: p };
}

/** The dashboard's pages, hashed assets and the top-level files of its build (favicon ...). */
function isDashboardFile(url: string): boolean {
  return CLIENT_ROUTES.includes(url) || url === '/assets/*' || /^\/[A-Za-z0-9._-]+\.[A-Za-z0-9]+$/.test(url);
}

/** The permission a route needs, or undefined when it has no rule. */
export function permissionFor(method: string, url: string, declared?: unknown): Permission | undefined {
  if (isScope(declared) || declared === 'public' || declared === 'user') return declared;
  const m = (method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase()) as Method;
  const rule = RULES[`${m} ${url}`];
  if (rule !== undefined) return rule;
  if (m === 'GET' && isDashboardFile(url)) return 'public';
  return undefined;
}
