/**
 * Posting an annotation to a running `telltale serve` (what `telltale annotate` does from a deploy script):
 * one bounded request; the server's refusal is reported with its own code and field.
 */
import { TelltaleError } from '../errors.ts';
import type { Annotation } from './annotation-store.ts';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:7070';

export interface PostAnnotationOptions {
  server: string;
  token?: string;
  body: Record<string, unknown>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export async function postAnnotation(o: PostAnnotationOptions): Promise<Annotation> {
  let url: URL;
  try {
    url = new URL('api/telltale/annotations', o.server.endsWith('/') ? o.server : `${o.server}/`);
  } catch {
    throw new TelltaleError('TT_USAGE', `--server: ${JSON.stringify(o.server)} is not a URL`, { field: '--server' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TelltaleError('TT_USAGE', `--server: expected an http(s) URL, got ${JSON.stringify(o.server)}`, { field: '--server' });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(url, { method: 'POST', headers, body: JSON.stringify(o.body), signal: AbortSignal.timeout(o.timeoutMs ?? 10_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new TelltaleError('TT_SERVER_REQUEST', `cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  let parsed: { data?: Annotation; error?: string; code?: string; field?: string } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // reported below with the status
  }
  if (res.ok && parsed.data) return parsed.data;
  const detail = parsed.error ?? text.slice(0, 200);
  if (res.status === 400 && parsed.code === 'TT_ANNOTATION_INPUT') {
    throw new TelltaleError('TT_ANNOTATION_INPUT', `the server refused the annotation: ${detail}`, parsed.field ? { field: parsed.field } : {});
  }
  throw new TelltaleError('TT_SERVER_REQUEST', `${url.href} answered ${res.status}: ${detail}`);
}
