/** `telltale annotate <kind>` — records a deployment (or another event) on a running server's timeline. */
import type { Command } from 'commander';
import { DEFAULT_SERVER_URL, postAnnotation } from '../../annotations/client.ts';
import type { SetExit } from './run.ts';

interface AnnotateFlags {
  service?: string;
  version?: string;
  text?: string;
  tag: string[];
  time?: string;
  end?: string;
  server?: string;
  token?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerAnnotate(program: Command, setExit: SetExit, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('annotate')
    .argument('<kind>', 'what happened: deploy, rollback, incident, config-change…')
    .description('record a deployment or another event on the timeline of a running telltale serve')
    .option('--service <name>', 'the service it happened to')
    .option('--version <version>', 'the version deployed')
    .option('--text <text>', 'a description')
    .option('--tag <tag>', 'a tag (repeatable)', collect, [])
    .option('--time <time>', 'when it happened (RFC 3339 or epoch ms; default now)')
    .option('--end <time>', 'when it ended, for a time range')
    .option('--server <url>', `the server (env TELLTALE_URL, default ${DEFAULT_SERVER_URL})`)
    .option('--token <token>', 'API token (env TELLTALE_TOKEN)')
    .option('--json', 'print the stored annotation as JSON')
    .action(async (kind: string, flags: AnnotateFlags) => {
      const body: Record<string, unknown> = { kind, tags: flags.tag };
      if (flags.service !== undefined) body.service = flags.service;
      if (flags.version !== undefined) body.version = flags.version;
      if (flags.text !== undefined) body.text = flags.text;
      if (flags.time !== undefined) body.time = flags.time;
      if (flags.end !== undefined) body.timeEnd = flags.end;
      const token = flags.token ?? env.TELLTALE_TOKEN;
      const a = await postAnnotation({ server: flags.server ?? env.TELLTALE_URL ?? DEFAULT_SERVER_URL, body, ...(token ? { token } : {}) });
      if (flags.json) process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
      else process.stderr.write(`annotation ${a.id}: ${a.kind}${a.service ? ` of ${a.service}` : ''}${a.version ? ` ${a.version}` : ''} at ${new Date(a.time).toISOString()}\n`);
      setExit(0);
    });
}
