#!/usr/bin/env node
// Entry point. Telltale runs its TypeScript sources directly on Node >= 22.18 (type stripping).
import { main } from '../src/cli/main.ts';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
