/**
 * Serves the built dashboard (`web/dist`, made by `node web/build.ts`) from memory: hashed assets under
 * `/assets/` with a year-long immutable cache, `index.html` never cached and answered for every client
 * route (`/`, `/services/...`, `/alerts`, ...) so deep links and reloads work. Files are gzipped once at
 * start-up and sent compressed to clients that accept it. Nothing is fetched from outside at runtime:
 * the bundle carries its own scripts, styles and fonts (system fonts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';

export const DEFAULT_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** The dashboard's client routes: each answers index.html. */
export const CLIENT_ROUTES = ['/', '/services', '/services/*', '/alerts', '/checks', '/runs', '/runs/*', '/explore', '/settings'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | undefined;
  cache: string;
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

function loadAssets(dist: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const rel of walk(dist)) {
    const body = readFileSync(path.join(dist, rel));
    const type = TYPES[path.extname(rel)] ?? 'application/octet-stream';
    const compressible = /^(text|application\/json|image\/svg)/.test(type) && body.length > 512;
    // vite names everything under assets/ by content hash, so a URL there never changes meaning
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    assets.set(`/${rel}`, { type, body, gzip: compressible ? gzipSync(body, { level: 9 }) : undefined, cache });
  }
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  void reply.header('content-type', asset.type).header('cache-control', asset.cache).header('x-content-type-options', 'nosniff').header('vary', 'accept-encoding');
  if (asset.type.startsWith('text/html')) void reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer');
  const accepts = String(request.headers['accept-encoding'] ?? '');
  if (asset.gzip !== undefined && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

/**
 * Builds the dashboard when its files are missing (a source checkout that was never built). Vite is a
 * development dependency, so the build script is only loaded then.
 */
export async function ensureDashboardBuilt(dist: string = DEFAULT_DIST): Promise<'present' | 'built'> {
  if (existsSync(path.join(dist, 'index.html'))) return 'present';
  const { buildDashboard } = await import('../../../web/build.ts');
  await buildDashboard({ outDir: dist });
  return 'built';
}

export interface DashboardOptions {
  /** the built files (default: web/dist of this checkout) */
  dist?: string;
}

export function dashboardRoutes(options: DashboardOptions = {}): RoutePlugin {
  const dist = options.dist ?? DEFAULT_DIST;
  return (app) => {
    const built = existsSync(path.join(dist, 'index.html'));
    const assets = built ? loadAssets(dist) : new Map<string, Asset>();
    const index = assets.get('/index.html');
    const page = (request: FastifyRequest, reply: FastifyReply) => {
      if (index === undefined) {
        return reply
          .status(503)
          .header('content-type', 'text/plain; charset=utf-8')
          .send(`The dashboard is not built: run \`node web/build.ts\` (looked in ${dist}).\n`);
      }
      return send(request, reply, index);
    };
    for (const route of CLIENT_ROUTES) app.get(route, page);
    app.get('/assets/*', async (request, reply) => {
      const asset = assets.get(request.url.split('?')[0]);
      if (asset === undefined) return reply.status(404).send({ status: 'error', errorType: 'not_found', error: `no dashboard asset ${request.url.split('?')[0]}` });
      return send(request, reply, asset);
    });
    for (const [url, asset] of assets) {
      if (url.startsWith('/assets/') || url === '/index.html') continue;
      app.get(url, async (request, reply) => send(request, reply, asset));
    }
  };
}
