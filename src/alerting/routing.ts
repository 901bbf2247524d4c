/**
 * Walking the route tree as Alertmanager does: depth first, a route that matches takes the alert unless a
 * child does; siblings after a matching child are only tried when it has `continue: true`. The group an
 * alert lands in is keyed by the route and the values of the route's group_by labels.
 */
import { formatLabelSet, type Labels } from './alert.ts';
import type { Route } from './config.ts';
import { matchesAll } from './matchers.ts';

export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const out: Route[] = [];
  for (const child of route.routes) {
    const matched = matchRoutes(child, labels);
    out.push(...matched);
    if (matched.length > 0 && !child.continue) break;
  }
  return out.length > 0 ? out : [route];
}

/** The labels an alert is grouped by on this route (only those it has). */
export function groupLabels(route: Route, labels: Labels): Record<string, string> {
  if (route.groupByAll) return { ...labels };
  const out: Record<string, string> = {};
  for (const name of route.groupBy) if (labels[name] !== undefined && labels[name] !== '') out[name] = labels[name];
  return out;
}

/** `{}/{severity="page"}:{alertname="Down"}` — Alertmanager's group key. */
export function groupKey(route: Route, group: Labels): string {
  return `${route.key}:${formatLabelSet(group)}`;
}

/** Every route of the tree, root first. */
export function allRoutes(route: Route): Route[] {
  return [route, ...route.routes.flatMap(allRoutes)];
}
