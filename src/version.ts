import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** The package version, as the CLI and reports print it. */
export const VERSION: string = pkg.version;
