/** `telltale serve` — the long-running server: series store, ingest, Prometheus API, on 127.0.0.1 by default. */
import type { Command } from 'commander';
import { findConfigFile, loadConfigFile } from '../../config/load-config.ts';
import { telltaleConfigSchema, type TelltaleConfig } from '../../config/telltale-config.ts';
import { assembleServer, type AssembledServer } from '../../server/assemble.ts';
import { demoComponents } from '../../server/demo-components.ts';
import { describeReload } from '../../server/reload.ts';
import type { SetExit } from './run.ts';

interface ServeFlags {
  config?: string;
  listen?: string;
  data?: string;
  demo?: boolean;
  logLevel: string;
}

export function registerServe(program: Command, setExit: SetExit): void {
  program
    .command('serve')
    .description('run the server: series store, scrapes, ingest endpoints and the Prometheus API')
    .option('-c, --config <file>', 'config file (default: telltale.config.ts / telltale.yaml in the current directory, if any)')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:7070, or server.listen)')
    .option('--data <dir>', 'series store directory (default .telltale/data, or server.data)')
    .option('--demo', 'also run the bundled demo API with background traffic, and watch it')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .action(async (flags: ServeFlags) => {
      const file = flags.config ?? findConfigFile(process.cwd());
      const demo = flags.demo ? await demoComponents() : undefined;
      const readConfig = async (): Promise<TelltaleConfig> => {
        const config = file ? (await loadConfigFile(file, telltaleConfigSchema)).config : telltaleConfigSchema.parse({});
        return demo ? demo.withDemo(config) : config;
      };
      const config = await readConfig().catch(async (err: unknown) => {
        for (const c of demo?.components ?? []) await c.stop();
        throw err;
      });
      let server;
      try {
        server = await assembleServer({
          config,
          configFile: file,
          reloadConfig: readConfig,
          listen: flags.listen,
          dataDir: flags.data,
          logger: { level: flags.logLevel },
          components: demo?.components,
          onWarning: (message, err) => process.stderr.write(`telltale serve: ${message}${err ? `: ${(err as Error).message}` : ''}\n`),
        });
      } catch (err) {
        // the demo API was started before the server, to know its port; nothing else holds it
        for (const c of demo?.components ?? []) await c.stop();
        throw err;
      }
      process.stderr.write(`telltale serve: listening on ${server.url} (series store ${flags.data ?? config.server.data}; SIGHUP or POST /-/reload reloads the config)\n`);
      if (demo) process.stderr.write(`telltale serve: demo API on ${demo.url}, scraped every ${demo.scrapeInterval}\n`);
      process.stderr.write(loginNotice(server, Boolean(demo)));
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`telltale serve: ${signal}, shutting down\n`);
          void server.close().then(resolve, (err: unknown) => {
            process.stderr.write(`telltale serve: shutdown failed: ${(err as Error).message}\n`);
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGHUP', () => {
          void server.reload().then((r) => process.stderr.write(`telltale serve: SIGHUP: ${describeReload(r)}\n`));
        });
      });
      setExit(0);
    });
}

/** How to log in: the generated admin password on the first start only (never in the log), a hint after. */
function loginNotice(server: AssembledServer, demo: boolean): string {
  const b = server.bootstrap;
  if (!server.auth.enabled) return 'telltale serve: authentication is off (server.auth.enabled: false): every route is open\n';
  if (b.created && b.password) {
    return `telltale serve: created user "admin" with the generated password ${b.password}\n` +
      `telltale serve: (kept in ${b.passwordFile}, readable only by you; change it with \`telltale user set-password admin\`)\n`;
  }
  if (b.created) return 'telltale serve: created user "admin" with the password from TELLTALE_ADMIN_PASSWORD\n';
  if (!demo) return '';
  return b.passwordFile ? `telltale serve: log in at ${server.url}/ as admin, password in ${b.passwordFile}\n` : `telltale serve: log in at ${server.url}/\n`;
}
