/**
 * `GET /api/telltale/services`: the services of the config with their selectors and targets, so the
 * dashboard can build each service's golden-signal queries and colour them against the targets.
 */
import type { ServiceConfig } from '../../config/telltale-config.ts';
import type { RoutePlugin } from '../app.ts';

export interface ServiceView {
  name: string;
  selector: Record<string, string>;
  /** the selector as PromQL label matchers, e.g. `job="shop"` (without braces) */
  matchers: string;
  endpoint_label: string;
  critical_endpoints: string[];
  /** latencies in ms, rates as ratios (0.001 = 0.1%) */
  targets: ServiceConfig['targets'];
}

/** A PromQL string literal: backslash, quote and newline escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function selectorMatchers(selector: Record<string, string>): string {
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${quote(selector[k])}`)
    .join(',');
}

export function serviceView(s: ServiceConfig): ServiceView {
  return {
    name: s.name,
    selector: s.selector,
    matchers: selectorMatchers(s.selector),
    endpoint_label: s.endpoint_label,
    critical_endpoints: s.critical_endpoints,
    targets: s.targets,
  };
}

export function servicesRoutes(services: readonly ServiceConfig[]): RoutePlugin {
  const views = services.map(serviceView);
  return (app) => {
    app.get('/api/telltale/services', async () => ({ status: 'success', data: views }));
    app.get<{ Params: { name: string } }>('/api/telltale/services/:name', async (request, reply) => {
      const view = views.find((v) => v.name === request.params.name);
      if (view === undefined) return reply.status(404).send({ status: 'error', errorType: 'not_found', error: `no service named ${JSON.stringify(request.params.name)}` });
      return { status: 'success', data: view };
    });
  };
}
