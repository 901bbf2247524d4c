/** The `k6/metrics` module: custom Counter, Gauge, Rate and Trend metrics. */
import type { MetricType } from '../../metrics/types.ts';
import { currentVu, getRuntime, requireVu, vuTags } from './context.ts';

abstract class CustomMetric {
  readonly name: string;
  protected abstract readonly kind: MetricType;

  constructor(name: string, isTime = false) {
    if (currentVu()) throw new Error(`metric "${name}" must be created in the init context (top level of the script), not inside a VU function`);
    this.name = name;
    // Subclass field initializers run after super(), so the type is passed in explicitly by each subclass.
    getRuntime().registry.define(name, (this.constructor as unknown as { TYPE: MetricType }).TYPE, isTime ? 'time' : 'default');
  }

  add(value: number | boolean, tags?: Record<string, string>): boolean {
    const vu = requireVu(`${this.name}.add()`);
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
    if (Number.isNaN(v)) throw new Error(`${this.name}.add(): ${String(value)} is not a number`);
    const base = vuTags(vu);
    getRuntime().emit({
      metric: this.name,
      time: getRuntime().clock.now(),
      value: this.normalize(v),
      tags: tags ? { ...base, ...stringTags(tags) } : base,
    });
    return true;
  }

  protected normalize(v: number): number {
    return v;
  }
}

function stringTags(tags: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags)) out[k] = String(tags[k]);
  return out;
}

export class Counter extends CustomMetric {
  static readonly TYPE: MetricType = 'counter';
  protected readonly kind: MetricType = 'counter';
}

export class Gauge extends CustomMetric {
  static readonly TYPE: MetricType = 'gauge';
  protected readonly kind: MetricType = 'gauge';
}

export class Rate extends CustomMetric {
  static readonly TYPE: MetricType = 'rate';
  protected readonly kind: MetricType = 'rate';
  protected override normalize(v: number): number {
    return v !== 0 ? 1 : 0;
  }
}

export class Trend extends CustomMetric {
  static readonly TYPE: MetricType = 'trend';
  protected readonly kind: MetricType = 'trend';
}

export default { Counter, Gauge, Rate, Trend };
