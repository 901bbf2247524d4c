/**
 * The script modules Telltale provides under k6's names (and `telltale/*` aliases), and the ones it
 * knows but does not implement, so a script that needs them fails before the run instead of mid-run.
 */
import { fileURLToPath } from 'node:url';

const runtimeDir = new URL('../runtime/', import.meta.url);

const PROVIDED: Record<string, string> = {
  k6: 'k6.ts',
  'k6/http': 'k6-http.ts',
  'k6/metrics': 'k6-metrics.ts',
  'k6/execution': 'k6-execution.ts',
  'k6/data': 'k6-data.ts',
  'k6/encoding': 'k6-encoding.ts',
  'k6/crypto': 'k6-crypto.ts',
  'k6/html': 'k6-html.ts',
  telltale: 'k6.ts',
  'telltale/http': 'k6-http.ts',
  'telltale/metrics': 'k6-metrics.ts',
  'telltale/execution': 'k6-execution.ts',
  'telltale/data': 'k6-data.ts',
  'telltale/encoding': 'k6-encoding.ts',
  'telltale/crypto': 'k6-crypto.ts',
  'telltale/html': 'k6-html.ts',
};

/** Absolute file path of the runtime module behind a script import, or undefined if not provided. */
export function providedModulePath(specifier: string): string | undefined {
  const file = PROVIDED[specifier];
  return file === undefined ? undefined : fileURLToPath(new URL(file, runtimeDir));
}

export function providedModuleNames(): string[] {
  return Object.keys(PROVIDED).filter((n) => n.startsWith('k6'));
}

const KNOWN_UNSUPPORTED: [RegExp, string][] = [
  [/^k6\/browser$/, 'browser testing is not supported'],
  [/^k6\/experimental\//, 'k6 experimental modules are not supported'],
  [/^k6\/net\/grpc$/, 'gRPC is not supported yet'],
  [/^k6\/ws$/, 'WebSockets are not supported yet'],
  [/^k6\/x\//, 'k6 extensions (xk6) cannot be loaded'],
  [/^k6\/(timers|secrets)$/, 'this k6 module is not available yet'],
];

/** Why a k6 module is not available, or undefined when the specifier is not a k6 module we know of. */
export function unsupportedReason(specifier: string): string | undefined {
  for (const [re, why] of KNOWN_UNSUPPORTED) if (re.test(specifier)) return why;
  if (specifier === 'k6' || specifier.startsWith('k6/')) return 'unknown k6 module';
  return undefined;
}
