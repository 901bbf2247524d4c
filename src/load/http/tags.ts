/**
 * The tag set of one request's samples, composed as k6's transport does (lib/netext/httpext/transport.go):
 * base tags, then params.tags, then the enabled system tags on top, except `name`, which a custom tag wins.
 * A VU hammering one URL gets the same answer every time, so the last tag set per URL is memoized and
 * reused; tag objects are immutable by contract, so sharing them across requests is safe and saves the
 * aggregator from rehashing equal sets.
 */
import type { Tags } from '../../metrics/types.ts';
import type { ParamValue } from './types.ts';

export interface HopTagInput {
  method: string;
  /** The hop's URL with credentials masked. */
  url: string;
  /** http.url template name, or null to use the URL. */
  templateName: string | null;
  status: number;
  /** null when no response callback is in force. */
  expected: boolean | null;
  /** 0, a network error code, or 1000 + status for 4xx/5xx. */
  errorCode: number;
  /** '' unless the request failed. */
  error: string;
  tlsVersion: string;
  ip: string;
}

export function buildTags(
  base: Tags,
  custom: Readonly<Record<string, ParamValue>> | undefined,
  sys: ReadonlySet<string>,
  h: HopTagInput,
): Tags {
  const tags: Record<string, string> = { ...base };
  if (custom !== undefined) {
    for (const k of Object.keys(custom)) tags[k] = String(custom[k]);
  }
  if (sys.has('url')) tags.url = h.url;
  if (sys.has('name') && !Object.hasOwn(tags, 'name')) tags.name = h.templateName ?? h.url;
  if (sys.has('method')) tags.method = h.method;
  if (h.error !== '') {
    if (sys.has('error')) tags.error = h.error;
    if (sys.has('error_code')) tags.error_code = String(h.errorCode);
    if (sys.has('status')) tags.status = '0';
  } else {
    if (sys.has('status')) tags.status = String(h.status);
    if (h.errorCode !== 0 && sys.has('error_code')) tags.error_code = String(h.errorCode);
    if (sys.has('proto')) tags.proto = 'HTTP/1.1';
    if (h.tlsVersion !== '' && sys.has('tls_version')) tags.tls_version = h.tlsVersion;
  }
  if (h.ip !== '' && sys.has('ip')) tags.ip = h.ip;
  if (h.expected !== null && sys.has('expected_response')) tags.expected_response = h.expected ? 'true' : 'false';
  return tags;
}

interface MemoEntry {
  base: Tags;
  input: HopTagInput;
  tags: Tags;
}

const MEMO_MAX = 256;

export class TagMemo {
  readonly #sys: ReadonlySet<string>;
  readonly #entries = new Map<string, MemoEntry>();

  constructor(sys: ReadonlySet<string>) {
    this.#sys = sys;
  }

  /** Tags for a hop; requests with custom tags are built fresh, since a script may reuse and mutate that object. */
  get(base: Tags, custom: Readonly<Record<string, ParamValue>> | undefined, h: HopTagInput): Tags {
    if (custom !== undefined) return buildTags(base, custom, this.#sys, h);
    const e = this.#entries.get(h.url);
    if (e !== undefined && e.base === base && same(e.input, h)) return e.tags;
    const tags = buildTags(base, undefined, this.#sys, h);
    if (e === undefined && this.#entries.size >= MEMO_MAX) this.#entries.clear();
    this.#entries.set(h.url, { base, input: h, tags });
    return tags;
  }
}

function same(a: HopTagInput, b: HopTagInput): boolean {
  return a.status === b.status && a.method === b.method && a.templateName === b.templateName
    && a.expected === b.expected && a.errorCode === b.errorCode && a.error === b.error
    && a.tlsVersion === b.tlsVersion && a.ip === b.ip;
}
