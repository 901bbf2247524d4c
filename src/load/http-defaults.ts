import type { NormalizedOptions } from './types.ts';
import type { HttpDefaults } from './http/index.ts';

/** The per-VU HTTP client settings that come from the test options. */
export function httpDefaultsFrom(o: NormalizedOptions): HttpDefaults {
  return {
    userAgent: o.userAgent,
    timeoutMs: 60_000,
    maxRedirects: o.maxRedirects,
    discardResponseBodies: o.discardResponseBodies,
    insecureSkipTLSVerify: o.insecureSkipTLSVerify,
    noConnectionReuse: o.noConnectionReuse,
    batchPerHost: o.batchPerHost,
    batch: o.batch,
    systemTags: new Set(o.systemTags),
  };
}
