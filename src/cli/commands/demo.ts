/** `telltale demo` — starts the bundled sample API on 127.0.0.1 and load-tests it with thresholds. */
import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from '../../demo/server.ts';
import { runCommand, type SetExit } from './run.ts';
import { addRunFlags, type RunFlags } from '../run-flags.ts';

export function registerDemo(program: Command, setExit: SetExit): void {
  addRunFlags(program.command('demo').description('start a sample HTTP API on 127.0.0.1 and load-test it (examples/demo.ts)')).action(
    async (flags: RunFlags) => {
      const server = await startDemoServer();
      process.stderr.write(`telltale demo: sample API listening on ${server.url}\n`);
      try {
        const script = fileURLToPath(new URL('../../../examples/demo.ts', import.meta.url));
        setExit(await runCommand(script, { ...flags, env: [`BASE_URL=${server.url}`, ...flags.env] }));
      } finally {
        await server.close();
      }
    },
  );
}
