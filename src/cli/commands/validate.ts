/** `telltale validate [FILE]` — checks a server config file and reports every problem with file, line and field. */
import type { Command } from 'commander';
import { relative } from 'node:path';
import { TelltaleError } from '../../errors.ts';
import { findConfigFile, loadConfigFile, DEFAULT_CONFIG_NAMES } from '../../config/load-config.ts';
import { telltaleConfigSchema } from '../../config/telltale-config.ts';
import { parseScrapeConfig } from '../../ingest/scrape-config.ts';
import { parseRemoteWriteConfig } from '../../ingest/remote-write-config.ts';
import type { SetExit } from './run.ts';

export function registerValidate(program: Command, setExit: SetExit): void {
  program
    .command('validate')
    .argument('[file]', `config file (default: the first of ${DEFAULT_CONFIG_NAMES.join(', ')} in the current directory)`)
    .description('check a telltale.config.ts / telltale.yaml and report every problem')
    .action(async (file: string | undefined) => {
      const path = file ?? findConfigFile(process.cwd());
      if (!path) throw new TelltaleError('TT_CONFIG_INVALID', `no config file given and none of ${DEFAULT_CONFIG_NAMES.join(', ')} in ${process.cwd()}`);
      const { config } = await loadConfigFile(path, telltaleConfigSchema);
      const name = relative(process.cwd(), path) || path;
      const scrapes = parseScrapeConfig({ global: config.global, scrape_configs: config.scrape_configs }, name);
      const remote = parseRemoteWriteConfig(config.remote_write, scrapes.externalLabels, name);
      const targets = scrapes.scrapeConfigs.reduce((n, j) => n + j.staticConfigs.reduce((m, s) => m + s.targets.length, 0), 0);
      process.stdout.write(`${name}: valid — listen ${config.server.listen}, ${config.services.length} service(s), ${scrapes.scrapeConfigs.length} scrape job(s) with ${targets} target(s)${remote.length > 0 ? `, ${remote.length} remote_write target(s)` : ''}\n`);
      setExit(0);
    });
}
