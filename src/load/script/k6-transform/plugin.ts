/**
 * The esbuild plugin that applies the k6 transform while bundling. The module graph is analyzed once,
 * on the first JavaScript file esbuild loads; each transformed module is handed back with an inline
 * source map, which esbuild composes into the bundle's map so errors point at the original lines.
 */
import type { Plugin } from 'esbuild';
import { analyzeK6Graph, type CompatibilityMode, type K6Analysis } from './index.ts';
import { COMPAT_PATH, COMPAT_URL, rewriteModule } from './rewrite.ts';

export function k6TransformPlugin(opts: { mode: CompatibilityMode }): Plugin {
  return {
    name: 'telltale-k6-transform',
    setup(b) {
      if (opts.mode === 'native') return;
      const mode = opts.mode;
      const entry = firstEntry(b.initialOptions.entryPoints);
      let analysis: K6Analysis | undefined;
      let failed = false;
      b.onStart(() => {
        analysis = undefined;
        failed = false;
      });
      // The helpers are bundled (not left external), so CommonJS modules can require() them too.
      b.onResolve({ filter: new RegExp(`^${COMPAT_URL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }, () => ({ path: COMPAT_PATH }));
      b.onLoad({ filter: /\.(m|c)?js$/i }, (args) => {
        if (args.namespace !== 'file' || !entry || failed) return undefined;
        if (!analysis) {
          try {
            analysis = analyzeK6Graph(entry, { mode: mode === 'k6' ? 'k6' : 'auto' });
          } catch (err) {
            // Reported once; the build fails on it, the other files need not repeat it.
            failed = true;
            throw err;
          }
        }
        const mod = analysis.graph.byFile.get(args.path);
        const plan = mod && analysis.plan?.plans.get(mod);
        if (!mod || !plan || (plan.asyncFns.length === 0 && plan.awaits.length === 0 && plan.iterations.size === 0)) return undefined;
        const out = rewriteModule(mod, plan);
        return { contents: `${out.code}\n//# sourceMappingURL=${out.map.toUrl()}\n`, loader: 'js' };
      });
    },
  };
}

function firstEntry(entryPoints: unknown): string | undefined {
  if (Array.isArray(entryPoints)) {
    const first: unknown = entryPoints[0];
    if (typeof first === 'string') return first;
    if (first && typeof first === 'object' && typeof (first as { in?: unknown }).in === 'string') return (first as { in: string }).in;
    return undefined;
  }
  if (entryPoints && typeof entryPoints === 'object') {
    const first = Object.values(entryPoints as Record<string, unknown>)[0];
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
}
