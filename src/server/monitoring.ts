/**
 * The watching half of `telltale serve`, built from the config: synthetic checks, rule evaluation and the
 * alert dispatcher, with their HTTP routes. Rules hand due alerts straight to the dispatcher; the
 * dispatcher also takes alerts from an external Prometheus through Alertmanager's API.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { TelltaleConfig } from '../config/telltale-config.ts';
import { TelltaleError } from '../errors.ts';
import type { Clock } from '../load/clock.ts';
import { loadAlertingConfig, type AlertingConfig } from '../alerting/config.ts';
import { openAlertStore, type AlertStore } from '../alerting/alert-store.ts';
import { Dispatcher } from '../alerting/dispatcher.ts';
import { AlertingApi } from '../alerting/api.ts';
import { alertContextSource } from '../alerting/alert-context.ts';
import { Engine } from '../promql/engine.ts';
import { parseChecks } from '../probes/parse-checks.ts';
import { ProbeService } from '../probes/probe-service.ts';
import { registerHeartbeatRoutes } from '../probes/heartbeat-routes.ts';
import { registerCheckRoutes } from '../probes/check-routes.ts';
import { loadRuleFiles } from '../rules/rule-file.ts';
import { loadGroups, RuleManager } from '../rules/rule-manager.ts';
import type { LoadedGroup } from '../rules/group-eval.ts';
import type { CheckDefinition } from '../probes/check-types.ts';
import type { Queryable, Storage } from '../series/types.ts';
import { formatExpr } from '../promql/format.ts';
import type { RoutePlugin } from './app.ts';
import { registerAlertmanagerApi } from './routes/alertmanager-api.ts';
import { annotationRoutes } from './routes/annotations.ts';
import { openAnnotationStore, type AnnotationStore } from '../annotations/annotation-store.ts';
import type { Component } from './serve.ts';

export interface MonitoringDeps {
  config: TelltaleConfig;
  configFile?: string;
  storage: Storage;
  queryable: Queryable;
  clock: Clock;
  /** the series store directory: alert state lives beside the series */
  dataDir: string;
  onWarning?: (message: string, err?: unknown) => void;
}

export interface Monitoring {
  plugins: RoutePlugin[];
  /** in start order; they stop in reverse */
  components: Component[];
  rules: RuleManager;
  dispatcher: Dispatcher;
  probes: ProbeService;
  alertStore: AlertStore;
  /** deployments and other events (the same database as the alert store) */
  annotations: AnnotationStore;
}

const DEFAULT_ALERTING = 'route:\n  receiver: default\nreceivers:\n  - name: default\n';

/** Everything the watching half runs, read and validated from a config: what a reload swaps in. */
export interface MonitoringPlan {
  checks: CheckDefinition[];
  ruleGroups: LoadedGroup[];
  alerting: AlertingConfig;
}

export type PlanResult = { plan: MonitoringPlan; errors?: undefined } | { plan?: undefined; errors: unknown[] };

/**
 * Reads the checks, rule files and alerting config a config names and validates them all, collecting
 * every part's error rather than stopping at the first.
 */
export async function planMonitoring(config: TelltaleConfig, configFile: string | undefined): Promise<PlanResult> {
  const base = configFile ? dirname(resolve(configFile)) : process.cwd();
  const externalURL = config.server.external_url ?? `http://${config.server.listen}`;
  const errors: unknown[] = [];
  const attempt = async <T>(f: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (err) {
      errors.push(err);
      return undefined;
    }
  };
  const checks = await attempt(() => parseChecks(config.checks, { file: configFile, baseDir: base }));
  const ruleGroups = await attempt(async () => loadGroups(await loadRuleFiles(config.rule_files.map((f) => resolve(base, f))), config.evaluation_interval));
  const alerting = await attempt(() => alertingConfig(config, base, externalURL));
  if (!checks || !ruleGroups || !alerting) return { errors };
  return { plan: { checks, ruleGroups, alerting } };
}

export async function buildMonitoring(deps: MonitoringDeps): Promise<Monitoring> {
  const { config, clock } = deps;
  const externalURL = config.server.external_url ?? `http://${config.server.listen}`;
  const planned = await planMonitoring(config, deps.configFile);
  if (planned.errors) throw planned.errors[0];
  const { checks, ruleGroups, alerting } = planned.plan;

  const storeSpec = config.server.store ?? join(dirname(resolve(deps.dataDir)), 'telltale.db');
  const alertStore = await openAlertStore(storeSpec);
  let annotations: AnnotationStore;
  try {
    annotations = await openAnnotationStore(storeSpec);
  } catch (err) {
    await alertStore.close();
    throw err;
  }
  let dispatcher: Dispatcher;
  try {
    dispatcher = await Dispatcher.create({
      config: alerting, store: alertStore, clock, onEvent: (e) => e.type === 'notify_failed' && deps.onWarning?.(`notification to ${e.receiver} failed: ${e.error}`),
      // each notification says whether its alert looks real: the 7-day band at this hour, recent deployments
      context: alertContextSource({ engine: new Engine({ now: () => clock.now() }), queryable: deps.queryable, annotations }),
    });
  } catch (err) {
    await alertStore.close();
    await annotations.close();
    throw err;
  }
  const api = new AlertingApi(dispatcher);
  const rules = new RuleManager({
    files: [],
    groups: ruleGroups,
    queryable: deps.queryable,
    storage: deps.storage,
    clock,
    evaluationIntervalMs: config.evaluation_interval,
    externalURL,
    stateFile: join(deps.dataDir, 'rules', 'alert-state.json'),
    notify: (alerts) => api.receive(alerts),
    onWarning: deps.onWarning,
  });
  const probes = new ProbeService({ storage: deps.storage, clock, onError: (check, err) => deps.onWarning?.(`check ${check} failed to run`, err) });

  const plugins: RoutePlugin[] = [
    (app) => registerAlertmanagerApi(app, { api }),
    annotationRoutes({ store: annotations, now: () => clock.now() }),
    (app) => registerHeartbeatRoutes(app, { heartbeats: probes.heartbeats }),
    (app) => registerCheckRoutes(app, { service: probes, queryable: deps.queryable, now: () => clock.now() }),
    (app) => {
      app.get('/api/v1/rules', async () => ({ status: 'success', data: { groups: rulesView(rules) } }));
      app.get('/api/v1/alerts', async () => ({
        status: 'success',
        data: { alerts: rules.alerts().filter((a) => a.state !== 'inactive').map((a) => ({ labels: a.labels, annotations: a.annotations, state: a.state, activeAt: new Date(a.activeAt).toISOString(), value: String(a.value) })) },
      }));
    },
  ];
  const components: Component[] = [
    { name: 'alert store', stop: () => alertStore.close() },
    { name: 'annotation store', stop: () => annotations.close() },
    { name: 'dispatcher', start: () => dispatcher.start(), stop: () => dispatcher.stop() },
    { name: 'rules', start: async () => { await rules.restore(); rules.start(); }, stop: () => rules.stop() },
    { name: 'checks', start: () => probes.start(checks), stop: () => probes.stop() },
  ];
  return { plugins, components, rules, dispatcher, probes, alertStore, annotations };
}

async function alertingConfig(config: TelltaleConfig, base: string, externalURL: string): Promise<AlertingConfig> {
  const file = config.alerting.config_file ? resolve(base, config.alerting.config_file) : undefined;
  if (!file) return loadAlertingConfig(DEFAULT_ALERTING, { file: '(default alerting config)', externalURL });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TelltaleError('TT_ALERTING_CONFIG', `cannot read the alerting config: ${(err as Error).message}`, { file, field: 'alerting.config_file', cause: err });
  }
  return loadAlertingConfig(text, { file, externalURL });
}

/** Prometheus' /api/v1/rules shape. */
function rulesView(rules: RuleManager) {
  return rules.groups.map((g) => ({
    name: g.group.name,
    file: g.file,
    interval: g.intervalMs / 1000,
    lastEvaluation: g.lastEvaluation === undefined ? '0001-01-01T00:00:00Z' : new Date(g.lastEvaluation).toISOString(),
    evaluationTime: g.evaluationSeconds ?? 0,
    rules: g.rules.map((r) => ({
      name: r.rule.name,
      // as Prometheus prints the parsed expression (1e9 → 1e+09)
      query: formatExpr(r.expr),
      type: r.rule.kind === 'alert' ? 'alerting' : 'recording',
      health: r.health.health,
      lastError: r.health.lastError ?? '',
      lastEvaluation: r.health.lastEvaluation === undefined ? '0001-01-01T00:00:00Z' : new Date(r.health.lastEvaluation).toISOString(),
      evaluationTime: r.health.evaluationSeconds ?? 0,
      labels: r.rule.labels,
      ...(r.rule.kind === 'alert'
        ? {
            duration: r.rule.forMs / 1000,
            keepFiringFor: r.rule.keepFiringForMs / 1000,
            annotations: r.rule.annotations,
            state: r.state!.list().some((a) => a.state === 'firing') ? 'firing' : r.state!.list().some((a) => a.state === 'pending') ? 'pending' : 'inactive',
            alerts: r.state!.list().filter((a) => a.state !== 'inactive').map((a) => ({ labels: a.labels, annotations: a.annotations, state: a.state, activeAt: new Date(a.activeAt).toISOString(), value: String(a.value) })),
          }
        : {}),
    })),
  }));
}
