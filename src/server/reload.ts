/**
 * Reloading `telltale serve`'s config without a restart (SIGHUP, `POST /-/reload`, `POST
 * /api/telltale/reload`). A reload has two phases. First everything is read and validated — the config
 * file, scrape configs, checks, rule files, the alerting config — collecting every problem; if there is
 * any, the reload is refused and nothing running is touched. Then each component switches in turn, none
 * of these steps able to fail on input: alert routing (silences, notification log and acknowledgements
 * stay in the store), rule groups (unchanged rules keep their alerts), checks (unchanged ones keep their
 * schedule and history), scrape targets (unchanged loops keep running). Reloads are serialized. Settings
 * bound at start (listen address, directories, stores, retention, services) are reported, not applied.
 */
import type { FastifyInstance } from 'fastify';
import type { TelltaleConfig } from '../config/telltale-config.ts';
import { isTelltaleError } from '../errors.ts';
import { parseRemoteWriteConfig } from '../ingest/remote-write-config.ts';
import { parseScrapeConfig, type ScrapeConfigFile } from '../ingest/scrape-config.ts';
import type { ScrapeManager } from '../ingest/scrape-manager.ts';
import type { RuleManager, RuleSwapReport } from '../rules/rule-manager.ts';
import type { ProbeService } from '../probes/probe-service.ts';
import type { Dispatcher } from '../alerting/dispatcher.ts';
import { planMonitoring, type MonitoringPlan } from './monitoring.ts';
import type { CollectedMetric } from './self-metrics.ts';

export interface ReloadProblem {
  message: string;
  code?: string;
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

export interface RestartSetting {
  setting: string;
  running: unknown;
  configured: unknown;
}

export interface NameChanges {
  added: string[];
  removed: string[];
  kept: number;
}

export interface ReloadResult {
  status: 'applied' | 'refused' | 'failed';
  /** epoch ms */
  at: number;
  problems: ReloadProblem[];
  /** changed settings that only take effect after a restart (not applied) */
  requiresRestart: RestartSetting[];
  changes?: { targets: NameChanges; checks: NameChanges; rules: RuleSwapReport; receivers: string[] };
}

export interface ReloadDeps {
  /** reads and validates the config file anew (throws TT_CONFIG_INVALID with every problem) */
  loadConfig(): Promise<TelltaleConfig>;
  configFile?: string;
  /** the config the server started with */
  running: TelltaleConfig;
  /** `--listen` / `--data` given on the command line: those win over the file */
  overrides?: { listen?: string; data?: string };
  scrapes: ScrapeManager;
  rules: RuleManager;
  probes: ProbeService;
  dispatcher: Dispatcher;
  now(): number;
}

/** One problem per finding: the error's own position, then each `file:line:col: message` line of its hint. */
export function problemsOf(err: unknown): ReloadProblem[] {
  if (!isTelltaleError(err)) return [{ message: (err as Error)?.message ?? String(err) }];
  const main: ReloadProblem = { message: err.message, code: err.code, file: err.file, line: err.line, column: err.column, field: err.field };
  const extra = (err.hint ?? '').split('\n').filter((l) => l.trim() !== '').map((line): ReloadProblem => {
    const m = /^(.+?):(\d+):(\d+): (.*)$/.exec(line);
    return m ? { message: m[4], code: err.code, file: m[1], line: Number(m[2]), column: Number(m[3]) } : { message: line.trim(), code: err.code, file: err.file };
  });
  // a hint that lists every finding repeats the first one
  const rest = extra.filter((p) => !(p.line === main.line && p.column === main.column && p.file === main.file && main.message.endsWith(p.message)));
  return [main, ...rest].map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as ReloadProblem);
}

/** Settings that are bound when the server starts, with the running and the newly configured value where they differ. */
export function restartOnlyChanges(running: TelltaleConfig, next: TelltaleConfig, overrides: { listen?: string; data?: string } = {}): RestartSetting[] {
  const settings: Array<[string, unknown, unknown]> = [
    ['server.listen', overrides.listen ?? running.server.listen, overrides.listen ?? next.server.listen],
    ['server.data', overrides.data ?? running.server.data, overrides.data ?? next.server.data],
    ['server.store', running.server.store, next.server.store],
    ['server.external_url', running.server.external_url, next.server.external_url],
    ['server.self_metrics_interval', running.server.self_metrics_interval, next.server.self_metrics_interval],
    ['server.query_cache', running.server.query_cache, next.server.query_cache],
    ['remote_write', running.remote_write, next.remote_write],
    ['storage.retention', running.storage.retention, next.storage.retention],
    ['storage.retention_size', running.storage.retention_size, next.storage.retention_size],
    ['storage.out_of_order_window', running.storage.out_of_order_window, next.storage.out_of_order_window],
    ['services', running.services, next.services],
  ];
  return settings
    .filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b))
    .map(([setting, runningValue, configured]) => ({ setting, running: runningValue, configured }));
}

/** What `names` adds and removes relative to `before`. */
export function nameChanges(before: Iterable<string>, after: Iterable<string>): NameChanges {
  const b = new Set(before);
  const a = new Set(after);
  return { added: [...a].filter((n) => !b.has(n)).sort(), removed: [...b].filter((n) => !a.has(n)).sort(), kept: [...a].filter((n) => b.has(n)).length };
}

interface Prepared {
  scrape: ScrapeConfigFile;
  plan: MonitoringPlan;
  requiresRestart: RestartSetting[];
}

export class ConfigReloader {
  private readonly deps: ReloadDeps;
  private queue: Promise<unknown> = Promise.resolve();
  lastSuccessful = true;
  lastSuccessAt: number;
  last?: ReloadResult;

  constructor(deps: ReloadDeps) {
    this.deps = deps;
    this.lastSuccessAt = deps.now();
  }

  /** Reloads (after any reload in progress); never throws: the result says what happened. */
  reload(): Promise<ReloadResult> {
    const run = this.queue.then(() => this.run());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(): Promise<ReloadResult> {
    const at = this.deps.now();
    const prepared = await this.prepare();
    let result: ReloadResult;
    if ('problems' in prepared) {
      result = { status: 'refused', at, problems: prepared.problems, requiresRestart: [] };
    } else {
      try {
        result = { status: 'applied', at, problems: [], requiresRestart: prepared.requiresRestart, changes: await this.commit(prepared) };
      } catch (err) {
        result = { status: 'failed', at, problems: problemsOf(err), requiresRestart: prepared.requiresRestart };
      }
    }
    this.lastSuccessful = result.status === 'applied';
    if (this.lastSuccessful) this.lastSuccessAt = at;
    this.last = result;
    return result;
  }

  private async prepare(): Promise<Prepared | { problems: ReloadProblem[] }> {
    const { running } = this.deps;
    let loaded: TelltaleConfig;
    try {
      loaded = await this.deps.loadConfig();
    } catch (err) {
      return { problems: problemsOf(err) };
    }
    // restart-only settings keep their running values, so nothing is planned against them
    const next: TelltaleConfig = { ...loaded, server: running.server, storage: running.storage, services: running.services, remote_write: running.remote_write };
    const problems: ReloadProblem[] = [];
    let scrape: ScrapeConfigFile | undefined;
    try {
      scrape = parseScrapeConfig({ global: next.global, scrape_configs: next.scrape_configs }, this.deps.configFile);
    } catch (err) {
      problems.push(...problemsOf(err));
    }
    try {
      // not applied without a restart, but a broken entry is still a broken config
      parseRemoteWriteConfig(loaded.remote_write, scrape?.externalLabels ?? {}, this.deps.configFile);
    } catch (err) {
      problems.push(...problemsOf(err));
    }
    const planned = await planMonitoring(next, this.deps.configFile);
    if (planned.errors) problems.push(...planned.errors.flatMap(problemsOf));
    if (problems.length > 0 || !scrape || !planned.plan) return { problems };
    return { scrape, plan: planned.plan, requiresRestart: restartOnlyChanges(running, loaded, this.deps.overrides) };
  }

  private async commit({ scrape, plan }: Prepared): Promise<NonNullable<ReloadResult['changes']>> {
    const { scrapes, rules, probes, dispatcher } = this.deps;
    const targetName = (t: { job: string; target: { url: string } }) => `${t.job} ${t.target.url}`;
    const targetsBefore = scrapes.targets().map(targetName);
    const checksBefore = probes.scheduler.checks().map((c) => c.name);
    // routing first, so alerts the new rules send go through the new routes
    await dispatcher.reload(plan.alerting);
    const ruleReport = await rules.replace(plan.ruleGroups);
    await probes.setChecks(plan.checks);
    await scrapes.apply(scrape);
    return {
      targets: nameChanges(targetsBefore, scrapes.targets().map(targetName)),
      checks: nameChanges(checksBefore, plan.checks.map((c) => c.name)),
      rules: ruleReport,
      receivers: [...plan.alerting.receivers.keys()].sort(),
    };
  }

  /** telltale_config_last_reload_successful and telltale_config_last_reload_success_timestamp_seconds */
  metrics(): CollectedMetric[] {
    return [
      { name: 'telltale_config_last_reload_successful', help: 'Whether the last configuration reload attempt was successful.', type: 'gauge', samples: [{ value: this.lastSuccessful ? 1 : 0 }] },
      { name: 'telltale_config_last_reload_success_timestamp_seconds', help: 'Timestamp of the last successful configuration reload.', type: 'gauge', samples: [{ value: this.lastSuccessAt / 1000 }] },
    ];
  }
}

/** The reload result as the API returns it: success with what changed, or an error listing every problem. */
export function reloadResponse(result: ReloadResult): { status: number; body: Record<string, unknown> } {
  const data = { ...result, at: new Date(result.at).toISOString() };
  if (result.status === 'applied') return { status: 200, body: { status: 'success', data } };
  const error = result.status === 'refused'
    ? `config reload refused, the running config is unchanged: ${result.problems.length} problem(s): ${result.problems.map((p) => p.message).join('; ')}`
    : `config reload failed while applying: ${result.problems.map((p) => p.message).join('; ')}`;
  return { status: result.status === 'refused' ? 422 : 500, body: { status: 'error', errorType: result.status === 'refused' ? 'bad_data' : 'internal', error, data } };
}

/** One line for the log: what a reload did or why it was refused. */
export function describeReload(r: ReloadResult): string {
  const restart = r.requiresRestart.length > 0 ? `; requires restart (not applied): ${r.requiresRestart.map((s) => s.setting).join(', ')}` : '';
  if (r.status === 'applied' && r.changes) {
    const c = r.changes;
    return `config reloaded: targets +${c.targets.added.length} -${c.targets.removed.length}, rules +${c.rules.added} -${c.rules.removed} (${c.rules.kept} kept), checks +${c.checks.added.length} -${c.checks.removed.length}${restart}`;
  }
  const where = (p: ReloadProblem) => (p.file ? `${p.file}${p.line !== undefined ? `:${p.line}` : ''}${p.line !== undefined && p.column !== undefined ? `:${p.column}` : ''}: ` : '');
  return `config reload ${r.status}, ${r.status === 'refused' ? 'the running config is unchanged' : 'the config may be partly applied'}:\n${r.problems.map((p) => `  ${where(p)}${p.message}${p.field ? ` (${p.field})` : ''}`).join('\n')}`;
}

/** POST /-/reload (as Prometheus' lifecycle endpoint) and POST /api/telltale/reload. */
export function reloadRoutes(reloader: () => ConfigReloader | undefined) {
  return (app: FastifyInstance): void => {
    const handler = async (_request: unknown, reply: { status(n: number): { send(b: unknown): unknown } }) => {
      const r = reloader();
      if (!r) return reply.status(503).send({ status: 'error', errorType: 'unavailable', error: 'the server is still starting' });
      const { status, body } = reloadResponse(await r.reload());
      return reply.status(status).send(body);
    };
    app.post('/-/reload', handler);
    app.post('/api/telltale/reload', handler);
  };
}
