/**
 * A small httpbin-like server for the k6 compatibility suite: every endpoint the scripts under
 * scripts/ call, answering deterministically so expectations can be counted by hand. Listens on
 * 127.0.0.1 only, on a free port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

export interface CompatServer {
  /** http://127.0.0.1:PORT, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

const ITEMS = [
  { id: 1, name: 'alpha', price: 10, tags: ['new'] },
  { id: 2, name: 'beta', price: 20, tags: [] },
  { id: 3, name: 'gamma', price: 30, tags: ['sale', 'new'] },
];

const DIGEST_REALM = 'telltale-compat';
const MAX_DELAY_MS = 5000;

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: Ctx) => void | Promise<void>;

interface Ctx {
  url: URL;
  body: Buffer;
  params: string[];
  /** Nonces this server issued for digest auth; a response must use one of them. */
  nonces: Set<string>;
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | string[]> = {}): void {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'Content-Length': String(payload.length), ...headers });
  res.end(payload);
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers });
}

function html(res: ServerResponse, body: string): void {
  send(res, 200, body, { 'Content-Type': 'text/html; charset=utf-8' });
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

function headerObject(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name) out[name] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** Splits `key=value, key="quoted, value"` auth parameters (RFC 7235 auth-param list). */
function authParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  return out;
}

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** A minimal multipart/form-data reader (RFC 7578): enough to report what a client uploaded. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${m[1] ?? m[2].trim()}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // The part's content ends with the CRLF that precedes the next delimiter.
    const raw = body.subarray(start, next - 2);
    const headEnd = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, headEnd).toString('utf8');
    const data = raw.subarray(headEnd + 4);
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const disposition = authParams(headers['content-disposition'] ?? '');
    parts.push({ name: disposition.name ?? '', filename: disposition.filename, contentType: headers['content-type'], data });
    pos = next;
  }
  return parts;
}

function echo(req: IncomingMessage, ctx: Ctx): Record<string, unknown> {
  const contentType = req.headers['content-type'] ?? '';
  const text = ctx.body.toString('utf8');
  let form: Record<string, string | string[]> | null = null;
  let parsed: unknown = null;
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    form = queryObject(new URL(`http://x/?${text}`));
  } else if (contentType.startsWith('application/json') && text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  return {
    method: req.method,
    url: req.url,
    path: ctx.url.pathname,
    args: queryObject(ctx.url),
    headers: headerObject(req),
    data: text,
    bodyLength: ctx.body.length,
    form,
    json: parsed,
  };
}

const routes: [string, RegExp, Handler][] = [
  ['*', /^\/$/, (_req, res) => json(res, 200, { ok: true })],

  ['GET', /^\/api\/items$/, (_req, res) => json(res, 200, { items: ITEMS, total: ITEMS.length })],
  ['GET', /^\/api\/items\/([^/]+)$/, (_req, res, ctx) => {
    const item = ITEMS.find((i) => String(i.id) === ctx.params[0]);
    if (item) json(res, 200, item);
    else json(res, 404, { error: 'not found' });
  }],

  ['*', /^\/anything(\/.*)?$/, (req, res, ctx) => json(res, 200, echo(req, ctx))],

  ['*', /^\/status\/(\d{3})$/, (_req, res, ctx) => {
    const status = Number(ctx.params[0]);
    if (status === 204 || status === 304 || status < 200) send(res, status, '');
    else json(res, status, { status });
  }],

  ['*', /^\/delay\/(\d+)$/, (req, res, ctx) => {
    const ms = Math.min(Number(ctx.params[0]), MAX_DELAY_MS);
    const timer = setTimeout(() => json(res, 200, { delayed: ms }), ms);
    // A client that gave up (request timeout) must not keep the timer, nor the server, busy.
    res.on('close', () => clearTimeout(timer));
    req.resume();
  }],

  ['*', /^\/redirect\/(\d+)$/, (_req, res, ctx) => {
    const n = Number(ctx.params[0]);
    if (n <= 0) json(res, 200, { redirected: true });
    else send(res, 302, '', { Location: `/redirect/${n - 1}` });
  }],

  ['GET', /^\/cookies$/, (req, res) => json(res, 200, { cookies: parseCookies(req.headers.cookie) })],
  ['GET', /^\/cookies\/set$/, (_req, res, ctx) => {
    const cookies = [...ctx.url.searchParams].map(([k, v]) => `${k}=${encodeURIComponent(v)}; Path=/`);
    send(res, 302, '', { Location: '/cookies', 'Set-Cookie': cookies });
  }],
  ['GET', /^\/cookies\/delete$/, (_req, res, ctx) => {
    const cookies = [...ctx.url.searchParams.keys()].map((k) => `${k}=; Path=/; Max-Age=0`);
    send(res, 302, '', { Location: '/cookies', 'Set-Cookie': cookies });
  }],

  ['GET', /^\/basic-auth\/([^/]+)\/([^/]+)$/, (req, res, ctx) => {
    const [user, pass] = ctx.params;
    const expected = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    if (req.headers.authorization === expected) json(res, 200, { authenticated: true, user });
    else json(res, 401, { authenticated: false }, { 'WWW-Authenticate': `Basic realm="${DIGEST_REALM}"` });
  }],

  ['GET', /^\/digest-auth\/auth\/([^/]+)\/([^/]+)$/, (req, res, ctx) => {
    const [user, pass] = ctx.params;
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Digest ') && digestValid(authParams(header.slice(7)), req.method ?? 'GET', req.url ?? '', user, pass, ctx.nonces)) {
      json(res, 200, { authenticated: true, user });
      return;
    }
    const nonce = randomBytes(16).toString('hex');
    ctx.nonces.add(nonce);
    const challenge = `Digest realm="${DIGEST_REALM}", qop="auth", nonce="${nonce}", opaque="${md5(DIGEST_REALM)}", algorithm=MD5`;
    json(res, 401, { authenticated: false }, { 'WWW-Authenticate': challenge });
  }],

  ['POST', /^\/upload$/, (req, res, ctx) => {
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) {
      json(res, 415, { error: `expected multipart/form-data, got ${contentType || 'nothing'}` });
      return;
    }
    const files: Record<string, unknown> = {};
    const fields: Record<string, string> = {};
    for (const part of parseMultipart(ctx.body, contentType)) {
      if (part.filename !== undefined) {
        files[part.name] = { filename: part.filename, size: part.data.length, contentType: part.contentType ?? null, md5: createHash('md5').update(part.data).digest('hex') };
      } else {
        fields[part.name] = part.data.toString('utf8');
      }
    }
    json(res, 200, { files, fields });
  }],

  ['GET', /^\/gzip$/, (req, res) => {
    const body = gzipSync(JSON.stringify({ gzipped: true, method: req.method, items: ITEMS }));
    send(res, 200, body, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
  }],

  ['GET', /^\/bytes\/(\d+)$/, (_req, res, ctx) => {
    const n = Math.min(Number(ctx.params[0]), 1 << 20);
    const body = Buffer.alloc(n);
    for (let i = 0; i < n; i++) body[i] = i % 256;
    send(res, 200, body, { 'Content-Type': 'application/octet-stream' });
  }],

  ['POST', /^\/login$/, (req, res, ctx) => {
    const e = echo(req, ctx);
    const creds = (e.json ?? e.form ?? {}) as { username?: string; password?: string };
    if (creds.username && creds.password === 'secret') json(res, 200, { token: `token-${creds.username}` });
    else json(res, 401, { error: 'bad credentials' });
  }],
  ['GET', /^\/me$/, (req, res) => {
    const m = /^Bearer token-(.+)$/.exec(req.headers.authorization ?? '');
    if (m) json(res, 200, { user: m[1] });
    else json(res, 401, { error: 'no token' });
  }],

  ['GET', /^\/html$/, (_req, res) => html(res, SHOP_PAGE)],
  ['GET', /^\/forms\/login$/, (_req, res) => html(res, FORMS_PAGE)],
  ['GET', /^\/links$/, (_req, res) => html(res, LINKS_PAGE)],
  ['GET', /^\/links\/(\d+)$/, (_req, res, ctx) => html(res, `<!DOCTYPE html><html><head><title>Page ${ctx.params[0]}</title></head><body><h1>Page ${ctx.params[0]}</h1></body></html>`)],
];

function digestValid(p: Record<string, string>, method: string, uri: string, user: string, pass: string, nonces: Set<string>): boolean {
  if (p.username !== user || p.realm !== DIGEST_REALM || !nonces.has(p.nonce) || p.uri !== uri) return false;
  if (p.algorithm && p.algorithm.toUpperCase() !== 'MD5') return false;
  const ha1 = md5(`${user}:${DIGEST_REALM}:${pass}`);
  const ha2 = md5(`${method}:${uri}`);
  const expected = p.qop ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
  return p.response === expected;
}

const SHOP_PAGE = `<!DOCTYPE html>
<html>
<head><title>Compat Shop</title><meta name="description" content="k6 compatibility fixtures"></head>
<body>
<h1 id="heading" data-section="shop">Products</h1>
<ul id="products">
  <li class="product" data-id="1" data-price="10">Alpha</li>
  <li class="product" data-id="2" data-price="20">Beta</li>
  <li class="product sale" data-id="3" data-price="30">Gamma</li>
</ul>
<a id="next" href="/links/1">next page</a>
<select name="size"><option value="s">S</option><option value="m" selected>M</option></select>
</body>
</html>`;

const FORMS_PAGE = `<!DOCTYPE html>
<html>
<head><title>Forms</title></head>
<body>
<form id="search" action="/anything/search" method="get">
  <input type="text" name="q" value="default">
  <input type="submit" value="Search">
</form>
<form id="login" action="/anything/login" method="post">
  <input type="hidden" name="csrf" value="tok123">
  <input type="text" name="username" value="">
  <input type="password" name="password" value="">
  <input type="checkbox" name="remember" value="yes" checked>
  <input type="submit" name="action" value="login">
</form>
</body>
</html>`;

const LINKS_PAGE = `<!DOCTYPE html>
<html>
<head><title>Links</title></head>
<body>
<a id="first" href="/links/1">one</a>
<a id="second" href="links/2">two</a>
<a id="third" href="/links/3?from=links">three</a>
</body>
</html>`;

export async function startCompatServer(): Promise<CompatServer> {
  const nonces = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      for (const [m, re, handler] of routes) {
        if (m !== '*' && m !== method && !(m === 'GET' && method === 'HEAD')) continue;
        const match = re.exec(url.pathname);
        if (!match) continue;
        const ctx: Ctx = { url, body: Buffer.concat(chunks), params: match.slice(1), nonces };
        Promise.resolve(handler(req, res, ctx)).catch((err: unknown) => {
          if (!res.headersSent) json(res, 500, { error: String(err) });
        });
        return;
      }
      json(res, 404, { error: `no route for ${method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
