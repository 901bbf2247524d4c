/**
 * Vite config of the dashboard: Preact JSX through Vite's built-in transform (no framework preset), one
 * small bundle with hashed file names under assets/, no source maps in the served build.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // the server gzips once at start-up; measuring here would only slow the build
    reportCompressedSize: false,
    assetsInlineLimit: 0,
  },
});
