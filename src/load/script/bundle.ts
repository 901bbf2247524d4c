/**
 * Bundles a user script (TypeScript or JavaScript, ES modules) with esbuild into one ES module file.
 * k6 module imports are left as imports of Telltale's runtime modules by absolute URL, so every VU
 * instance of the script shares the one runtime of its worker thread. Synchronous k6 scripts are
 * rewritten to await the runtime on the way in (k6-transform/).
 */
import { build, type Message, type Plugin } from 'esbuild';
import { mkdtemp, writeFile, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TelltaleError } from '../../errors.ts';
import { providedModulePath, providedModuleNames, unsupportedReason } from './modules.ts';
import { k6TransformPlugin } from './k6-transform/plugin.ts';
import type { CompatibilityMode } from './k6-transform/index.ts';

export interface BundledScript {
  /** Absolute path of the user's entry script. */
  entry: string;
  /** file: URL of the bundled module (with an inline source map back to the user's files). */
  url: string;
  /** Directory holding the bundle; removed by dispose(). */
  dir: string;
  dispose(): Promise<void>;
}

/**
 * `compatibility`: 'auto' rewrites a JavaScript script written for k6 (synchronous http/sleep/group)
 * to await Telltale's runtime, and leaves native scripts alone; 'k6' always rewrites the script's
 * JavaScript modules; 'native' never does. The auto rule is described in k6-transform/index.ts.
 */
export async function bundleScript(scriptPath: string, compatibility: CompatibilityMode = 'auto'): Promise<BundledScript> {
  const entry = path.resolve(scriptPath);
  try {
    await access(entry);
  } catch {
    throw new TelltaleError('TT_SCRIPT_NOT_FOUND', `script not found: ${scriptPath}`, { file: scriptPath });
  }

  // The output directory is chosen first so source map paths are relative to it.
  const dir = await mkdtemp(path.join(tmpdir(), 'telltale-script-'));
  const out = path.join(dir, 'script.mjs');
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      outfile: out,
      // External, not inline: every VU imports its own instance of the module, and an inline map would be
      // kept (and parsed) once per instance. Stack frames are mapped with one parsed map (script/errors.ts).
      sourcemap: 'external',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [k6Modules(), k6TransformPlugin({ mode: compatibility })],
      // Keep function and class names for readable stack traces and check names.
      keepNames: true,
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const errors: Message[] = (err as { errors?: Message[] }).errors ?? [];
    throw bundleError(errors, entry, err);
  }

  for (const f of result.outputFiles) await writeFile(f.path, f.contents);
  return {
    entry,
    url: pathToFileURL(out).href,
    dir,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

function bundleError(errors: Message[], entry: string, cause: unknown): TelltaleError {
  const first = errors[0];
  // The k6 transform reports its own errors, already pointing at the user's file and line.
  if (first?.detail instanceof TelltaleError) return first.detail;
  if (!first) {
    return new TelltaleError('TT_SCRIPT_BUNDLE', `cannot bundle ${entry}: ${String(cause)}`, { file: entry, cause });
  }
  const detail = (first.detail as { code?: string; reason?: string; specifier?: string } | undefined) ?? undefined;
  const loc = first.location;
  const file = loc ? path.resolve(loc.file) : entry;
  const extra = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const code = detail?.code === 'unsupported-module' ? 'TT_MODULE_UNSUPPORTED' : 'TT_SCRIPT_BUNDLE';
  return new TelltaleError(code, `${first.text}${extra}`, {
    hint: loc?.lineText ? `    ${loc.lineText.trim()}` : undefined,
    file,
    line: loc?.line,
    column: loc ? loc.column + 1 : undefined,
    cause,
  });
}

function k6Modules(): Plugin {
  return {
    name: 'telltale-k6-modules',
    setup(b) {
      b.onResolve({ filter: /^(k6|telltale)(\/.*)?$/ }, (args) => {
        const provided = providedModulePath(args.path);
        if (provided) return { path: pathToFileURL(provided).href, external: true };
        const why = unsupportedReason(args.path) ?? 'unknown module';
        return {
          errors: [
            {
              text: `module "${args.path}" is not supported: ${why}. Available: ${providedModuleNames().join(', ')}`,
              detail: { code: 'unsupported-module' },
            },
          ],
        };
      });
      b.onResolve({ filter: /^https?:\/\// }, (args) => ({
        errors: [
          {
            text:
              `remote module "${args.path}" cannot be fetched at run time; download it once ` +
              `(e.g. curl -o vendor/${path.posix.basename(new URL(args.path).pathname) || 'module.js'} '${args.path}') ` +
              `and import it with a relative path`,
            detail: { code: 'unsupported-module' },
          },
        ],
      }));
    },
  };
}
