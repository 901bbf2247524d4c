/**
 * Puts `telltale serve` together from a config: the embedded series store, the Prometheus API over it,
 * the server's own metrics, and the background components, in the order they must start and stop.
 * The CLI command only parses flags and calls `assembleServer`; tests call it directly on port 0.
 */
import type { FastifyInstance } from 'fastify';
import { dirname, join, resolve } from 'node:path';
import { telltaleConfigSchema, type TelltaleConfig } from '../config/telltale-config.ts';
import { loadConfigFile } from '../config/load-config.ts';
import { openTsdb, type Tsdb } from '../tsdb/db.ts';
import { parseScrapeConfig } from '../ingest/scrape-config.ts';
import { ScrapeManager } from '../ingest/scrape-manager.ts';
import { ForwardingStorage } from '../ingest/forwarding-storage.ts';
import { RemoteWriteSink, parseRemoteWriteConfig } from '../ingest/remote-write-config.ts';
import type { Storage } from '../series/types.ts';
import { systemClock, type Clock } from '../load/clock.ts';
import { registerIngestRoutes } from './routes/ingest.ts';
import { openStore, type RunStore } from '../store/index.ts';
import { buildMonitoring, type Monitoring } from './monitoring.ts';
import { servicesRoutes } from './routes/services.ts';
import { runsRoutes } from './routes/runs.ts';
import { dashboardRoutes, ensureDashboardBuilt } from './routes/dashboard.ts';
import { buildApp, type RoutePlugin } from './app.ts';
import { registerPrometheusApi } from './routes/prometheus-api.ts';
import { SelfMetrics } from './self-metrics.ts';
import { selfScrapeComponent } from './self-scrape.ts';
import { QueryCache } from './query-cache.ts';
import { ConfigReloader, reloadRoutes, type ReloadResult } from './reload.ts';
import { Auth, authRoutes, openAuthStore, type AuthStore, type BootstrapResult } from './auth/index.ts';
import { parseListen, startServer, type Component, type RunningServer } from './serve.ts';

export interface AssembleOptions {
  config: TelltaleConfig;
  /** overrides config.server.listen */
  listen?: string;
  /** overrides config.server.data */
  dataDir?: string;
  /** wall clock and timers for scrapes and queries (tests pass a FakeClock) */
  clock?: Clock;
  /** the config file, for messages */
  configFile?: string;
  logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
  /** extra components (the demo service, tests' fakes), started after the built-in ones */
  components?: Component[];
  /** extra route plugins */
  plugins?: RoutePlugin[];
  /** build the dashboard when web/dist is missing (default true) */
  buildDashboard?: boolean;
  /** serve the dashboard from this directory instead of web/dist (tests build their own) */
  dashboardDist?: string;
  onWarning?: (message: string, err?: unknown) => void;
  /** reads the config anew for a reload (default: the config file again, or the defaults without one) */
  reloadConfig?: () => Promise<TelltaleConfig>;
  /** for TELLTALE_ADMIN_PASSWORD (default process.env) */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface AssembledServer extends RunningServer {
  tsdb: Tsdb;
  metrics: SelfMetrics;
  scrapes: ScrapeManager;
  monitoring: Monitoring;
  runs: RunStore;
  /** SIGHUP, POST /-/reload and POST /api/telltale/reload */
  reload(): Promise<ReloadResult>;
  auth: Auth;
  /** whether this start created the first user, and its generated password */
  bootstrap: BootstrapResult;
}

export async function assembleServer(options: AssembleOptions): Promise<AssembledServer> {
  const { config } = options;
  const clockSource = options.clock ?? systemClock;
  const clock = () => clockSource.now();
  const scrapeConfig = parseScrapeConfig({ global: config.global, scrape_configs: config.scrape_configs }, options.configFile);
  const remoteWrite = parseRemoteWriteConfig(config.remote_write, scrapeConfig.externalLabels, options.configFile);
  const listen = parseListen(options.listen ?? config.server.listen, options.listen ? '--listen' : 'server.listen');
  const tsdb = await openTsdb({
    dir: options.dataDir ?? config.server.data,
    clock,
    retentionMs: config.storage.retention,
    retentionBytes: config.storage.retention_size,
    outOfOrderWindowMs: config.storage.out_of_order_window,
  });
  let app: FastifyInstance | undefined;
  let monitoring: Monitoring | undefined;
  let runs: RunStore | undefined;
  let authStore: AuthStore | undefined;
  // once startServer has the components, it stops whatever it started if something fails
  let handedOver = false;
  let sinks: RemoteWriteSink[] = [];
  try {
    sinks = remoteWrite.map((target) => new RemoteWriteSink(target, clockSource));
    // every appender writes through this: what the store accepts is also sent to each remote_write target
    const storage: Storage = sinks.length > 0 ? new ForwardingStorage(tsdb, sinks) : tsdb;
    const dataDir = options.dataDir ?? config.server.data;
    monitoring = await buildMonitoring({ config, configFile: options.configFile, storage, queryable: tsdb, clock: clockSource, dataDir, onWarning: options.onWarning });
    // run history beside the series store unless the config names one (the default data dir puts it at
    // .telltale/telltale.db, where `telltale run --record` writes)
    runs = await openStore({ spec: config.server.store ?? join(dirname(resolve(dataDir)), 'telltale.db'), env: process.env, cwd: process.cwd() });
    authStore = await openAuthStore(config.server.store ?? join(dirname(resolve(dataDir)), 'telltale.db'));
    const auth = new Auth({
      store: authStore,
      enabled: config.server.auth.enabled,
      now: clock,
      sessionLifetimeMs: config.server.auth.session_lifetime,
      allowedOrigins: config.server.external_url ? [new URL(config.server.external_url).origin] : [],
    });
    const bootstrap = await auth.bootstrap({ env: options.env ?? process.env, dataDir });
    if (options.buildDashboard !== false && options.dashboardDist === undefined) await ensureDashboardBuilt();
    const metrics = new SelfMetrics(clock);
    metrics.addCollector(() => tsdbMetrics(tsdb));
    if (sinks.length > 0) metrics.addCollector(() => remoteWriteMetrics(sinks));
    const queryCache = config.server.query_cache ? new QueryCache({ now: clock }) : undefined;
    if (queryCache) {
      metrics.addCollector(() => [
        { name: 'telltale_query_cache_requests_total', help: 'PromQL API requests answered from the shared cache (hit) or evaluated (miss).', type: 'counter', samples: [{ labels: { result: 'hit' }, value: queryCache.hits }, { labels: { result: 'miss' }, value: queryCache.misses }] },
        { name: 'telltale_query_cache_entries', help: 'Answers the shared query cache holds.', type: 'gauge', samples: [{ value: queryCache.size }] },
      ]);
    }
    const scrapes = new ScrapeManager({ storage, clock: clockSource });
    const configFile = options.configFile;
    const reloader = new ConfigReloader({
      loadConfig: options.reloadConfig ?? (async () => (configFile ? (await loadConfigFile(configFile, telltaleConfigSchema)).config : telltaleConfigSchema.parse({}))),
      configFile,
      running: config,
      overrides: { listen: options.listen, data: options.dataDir },
      scrapes, rules: monitoring.rules, probes: monitoring.probes, dispatcher: monitoring.dispatcher,
      now: clock,
    });
    metrics.addCollector(() => reloader.metrics());
    let componentsStarted = false;
    let open = true;
    app = await buildApp({
      logger: options.logger,
      metrics,
      auth,
      readiness: [{ name: 'series store', check: () => (open ? undefined : 'the series store is closed') }],
      plugins: [
        (a) => registerPrometheusApi(a, { queryable: tsdb, clock, cache: queryCache }),
        (a) => registerIngestRoutes(a, { storage }),
        ...monitoring.plugins,
        // a reload before the components start would be undone by their start
        reloadRoutes(() => (componentsStarted ? reloader : undefined)),
        servicesRoutes(config.services),
        runsRoutes({ store: runs, storage }),
        authRoutes(auth),
        ...(options.plugins ?? []),
        dashboardRoutes(options.dashboardDist ? { dist: options.dashboardDist } : undefined),
      ],
    });
    const storeComponent: Component = {
      name: 'series store',
      stop: async () => {
        open = false;
        await tsdb.close();
      },
    };
    // components stop in reverse: everything that appends stops before the store closes
    const scrapeComponent: Component = { name: 'scrapes', start: () => scrapes.apply(scrapeConfig), stop: () => scrapes.stop() };
    const runStore = runs;
    const runsComponent: Component = { name: 'run store', stop: () => runStore.close() };
    // stops after everything that appends, and sends what is queued before the store closes
    const remoteWriteComponent: Component = { name: 'remote_write', stop: async () => void (await Promise.all(sinks.map((s) => s.close()))) };
    const server = app.server;
    const selfComponent = selfScrapeComponent({
      metrics, storage, clock: clockSource, intervalMs: config.server.self_metrics_interval, onWarning: options.onWarning,
      instance: () => {
        const a = server.address();
        return typeof a === 'object' && a ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : listen.host;
      },
    });
    const authComponent: Component = { name: 'auth store', stop: () => auth.store.close() };
    handedOver = true;
    const running = await startServer(app, listen, [
      storeComponent, runsComponent, authComponent, remoteWriteComponent, ...monitoring.components, scrapeComponent, selfComponent, ...(options.components ?? []),
    ]);
    componentsStarted = true;
    return { ...running, tsdb, metrics, scrapes, monitoring, runs, auth, bootstrap, reload: () => reloader.reload() };
  } catch (err) {
    if (!handedOver) {
      await app?.close();
      await runs?.close().catch(() => undefined);
      await authStore?.close().catch(() => undefined);
      await monitoring?.alertStore.close().catch(() => undefined);
      await Promise.all(sinks.map((s) => s.sender.close(true)));
      await monitoring?.annotations.close().catch(() => undefined);
    }
    await tsdb.close().catch(() => undefined);
    throw err;
  }
}

function remoteWriteMetrics(sinks: readonly RemoteWriteSink[]) {
  const counter = (name: string, help: string, pick: (s: RemoteWriteSink) => number) => ({
    name, help, type: 'counter' as const, samples: sinks.map((s) => ({ labels: { remote_name: s.name }, value: pick(s) })),
  });
  return [
    counter('telltale_remote_write_samples_sent_total', 'Samples delivered to the remote_write target.', (s) => s.sender.stats.samplesSent),
    counter('telltale_remote_write_samples_dropped_total', 'Samples dropped because the queue was full.', (s) => s.sender.stats.samplesDropped),
    counter('telltale_remote_write_samples_failed_total', 'Samples refused by the target or out of retries.', (s) => s.sender.stats.samplesFailed),
    counter('telltale_remote_write_retries_total', 'Batches sent again after a retryable failure.', (s) => s.sender.stats.retries),
    { name: 'telltale_remote_write_pending_samples', help: 'Samples queued, not yet sent.', type: 'gauge' as const, samples: sinks.map((s) => ({ labels: { remote_name: s.name }, value: s.sender.pending() })) },
    { name: 'telltale_remote_write_shards', help: 'Shards sending in parallel.', type: 'gauge' as const, samples: sinks.map((s) => ({ labels: { remote_name: s.name }, value: s.sender.stats.shards })) },
  ];
}

function tsdbMetrics(tsdb: Tsdb) {
  const s = tsdb.stats();
  return [
    { name: 'telltale_tsdb_head_series', help: 'Series in the head block.', type: 'gauge' as const, samples: [{ value: s.series }] },
    { name: 'telltale_tsdb_head_chunks', help: 'Chunks in the head block.', type: 'gauge' as const, samples: [{ value: s.headChunks }] },
    { name: 'telltale_tsdb_samples_appended_total', help: 'Samples accepted by the store.', type: 'counter' as const, samples: [{ value: s.samplesAppended }] },
    {
      name: 'telltale_tsdb_samples_rejected_total',
      help: 'Samples the store refused, by reason.',
      type: 'counter' as const,
      samples: Object.entries(s.rejected).map(([reason, value]) => ({ labels: { reason }, value })),
    },
    { name: 'telltale_tsdb_blocks_loaded', help: 'Persisted blocks.', type: 'gauge' as const, samples: [{ value: s.blocks }] },
    { name: 'telltale_tsdb_compactions_total', help: 'Head compactions run.', type: 'counter' as const, samples: [{ value: s.compactions }] },
    { name: 'telltale_tsdb_compactions_failed_total', help: 'Head compactions that failed.', type: 'counter' as const, samples: [{ value: s.compactionFailures }] },
    { name: 'telltale_tsdb_wal_fsyncs_total', help: 'WAL writes synced to disk (O_DSYNC writes on Linux, fdatasync calls elsewhere).', type: 'counter' as const, samples: [{ value: s.walFsyncs }] },
    {
      name: 'telltale_tsdb_storage_bytes',
      help: 'Bytes on disk, by part.',
      type: 'gauge' as const,
      samples: [
        { labels: { part: 'blocks' }, value: s.bytesOnDisk.blocks },
        { labels: { part: 'wal' }, value: s.bytesOnDisk.wal },
      ],
    },
  ];
}
