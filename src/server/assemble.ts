/**
 * Puts `telltale serve` together from a config: the embedded series store, the Prometheus API over it,
 * the server's own metrics, and the background components, in the order they must start and stop.
 * The CLI command only parses flags and calls `assembleServer`; tests call it directly on port 0.
 */
import type { FastifyInstance } from 'fastify';
import { dirname, join, resolve } from 'node:path';
import type { TelltaleConfig } from '../config/telltale-config.ts';
import { openTsdb, type Tsdb } from '../tsdb/db.ts';
import { parseScrapeConfig } from '../ingest/scrape-config.ts';
import { ScrapeManager } from '../ingest/scrape-manager.ts';
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
  onWarning?: (message: string, err?: unknown) => void;
}

export interface AssembledServer extends RunningServer {
  tsdb: Tsdb;
  metrics: SelfMetrics;
  scrapes: ScrapeManager;
  monitoring: Monitoring;
  runs: RunStore;
}

export async function assembleServer(options: AssembleOptions): Promise<AssembledServer> {
  const { config } = options;
  const clockSource = options.clock ?? systemClock;
  const clock = () => clockSource.now();
  const scrapeConfig = parseScrapeConfig({ global: config.global, scrape_configs: config.scrape_configs }, options.configFile);
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
  // once startServer has the components, it stops whatever it started if something fails
  let handedOver = false;
  try {
    const dataDir = options.dataDir ?? config.server.data;
    monitoring = await buildMonitoring({ config, configFile: options.configFile, storage: tsdb, queryable: tsdb, clock: clockSource, dataDir, onWarning: options.onWarning });
    // run history beside the series store unless the config names one (the default data dir puts it at
    // .telltale/telltale.db, where `telltale run --record` writes)
    runs = await openStore({ spec: config.server.store ?? join(dirname(resolve(dataDir)), 'telltale.db'), env: process.env, cwd: process.cwd() });
    if (options.buildDashboard !== false) await ensureDashboardBuilt();
    const metrics = new SelfMetrics(clock);
    metrics.addCollector(() => tsdbMetrics(tsdb));
    let open = true;
    app = await buildApp({
      logger: options.logger,
      metrics,
      readiness: [{ name: 'series store', check: () => (open ? undefined : 'the series store is closed') }],
      plugins: [
        (a) => registerPrometheusApi(a, { queryable: tsdb, clock }),
        (a) => registerIngestRoutes(a, { storage: tsdb }),
        ...monitoring.plugins,
        servicesRoutes(config.services),
        runsRoutes({ store: runs }),
        ...(options.plugins ?? []),
        dashboardRoutes(),
      ],
    });
    const scrapes = new ScrapeManager({ storage: tsdb, clock: clockSource });
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
    handedOver = true;
    const running = await startServer(app, listen, [
      storeComponent, runsComponent, ...monitoring.components, scrapeComponent, ...(options.components ?? []),
    ]);
    return { ...running, tsdb, metrics, scrapes, monitoring, runs };
  } catch (err) {
    if (!handedOver) {
      await app?.close();
      await runs?.close().catch(() => undefined);
      await monitoring?.alertStore.close().catch(() => undefined);
      await monitoring?.annotations.close().catch(() => undefined);
    }
    await tsdb.close().catch(() => undefined);
    throw err;
  }
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
    { name: 'telltale_tsdb_wal_fsyncs_total', help: 'WAL fsyncs.', type: 'counter' as const, samples: [{ value: s.walFsyncs }] },
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
