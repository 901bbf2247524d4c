/**
 * `telltale serve --demo`: the bundled demo API on a loopback port with bounded background traffic, added to
 * the config as a scrape target and a service, so a newcomer sees live golden signals within a minute.
 */
import type { TelltaleConfig } from '../config/telltale-config.ts';
import { startDemoServer, type DemoServer } from '../demo/server.ts';
import { startTraffic, type Traffic } from '../demo/traffic.ts';
import type { Component } from './serve.ts';

export interface DemoSetup {
  url: string;
  scrapeInterval: string;
  components: Component[];
  withDemo(config: TelltaleConfig): TelltaleConfig;
}

/** Starts the demo API now (its port goes into the scrape config); traffic starts with the server. */
export async function demoComponents(options: { rate?: number; durationMs?: number } = {}): Promise<DemoSetup> {
  const server: DemoServer = await startDemoServer({ delayMs: 8, orderErrorRate: 0.02 });
  const host = new URL(server.url).host;
  let traffic: Traffic | undefined;
  const scrapeInterval = '5s';
  return {
    url: server.url,
    scrapeInterval,
    components: [
      {
        name: 'demo traffic',
        start: () => {
          traffic = startTraffic({ baseUrl: server.url, rate: options.rate ?? 25, durationMs: options.durationMs ?? 3_600_000 });
        },
        stop: async () => {
          await traffic?.stop();
          await server.close();
        },
      },
    ],
    withDemo: (config) => ({
      ...config,
      scrape_configs: [...config.scrape_configs, { job_name: 'demo', scrape_interval: scrapeInterval, static_configs: [{ targets: [host] }] }],
      services: config.services.some((s) => s.name === 'demo')
        ? config.services
        : [
            ...config.services,
            {
              name: 'demo',
              selector: { job: 'demo' },
              endpoint_label: 'route',
              critical_endpoints: ['/api/orders', '/api/products'],
              targets: config.services[0]?.targets ?? defaultTargets(),
            },
          ],
    }),
  };
}

function defaultTargets() {
  return {
    p50: 200, p95: 500, p99: 1000, error_rate: 0.001, p95_warning: 400, p95_critical: 800, error_rate_warning: 0.005,
    error_rate_critical: 0.02, cpu_warning: 0.75, cpu_critical: 0.9, memory_warning: 0.8, memory_critical: 0.95,
  };
}
