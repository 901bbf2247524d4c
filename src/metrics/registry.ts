import { TelltaleError } from '../errors.ts';
import { BUILTIN_METRICS } from './builtin.ts';
import type { MetricDef, MetricType, ValueType } from './types.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const METRIC_TYPES: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];
const VALUE_TYPES: readonly string[] = ['default', 'time', 'data'];

/** True when `name` is a valid metric name: 1..128 ASCII letters, digits or underscores, not starting with a digit. */
export function isValidMetricName(name: string): boolean {
  return NAME.test(name);
}

/** The metrics known to a run: the built-ins plus those the script defines in its init context. */
export class MetricRegistry {
  private readonly defs = new Map<string, MetricDef>();

  constructor() {
    for (const def of BUILTIN_METRICS) this.defs.set(def.name, def);
  }

  /**
   * Defines a metric, or returns the existing one when it was already defined the same way. Throws
   * TT_SCRIPT_INIT for an invalid name or when the name is taken by a metric of another type or value kind.
   */
  define(name: string, type: MetricType, contains: ValueType = 'default'): MetricDef {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new TelltaleError(
        'TT_SCRIPT_INIT',
        `invalid metric name ${JSON.stringify(name)}: metric names must be 1 to 128 ASCII letters, digits or ` +
          'underscores and must not start with a digit',
      );
    }
    if (!METRIC_TYPES.includes(type)) {
      throw new TelltaleError('TT_SCRIPT_INIT', `metric '${name}': unknown metric type ${JSON.stringify(type)}`);
    }
    if (!VALUE_TYPES.includes(contains)) {
      throw new TelltaleError('TT_SCRIPT_INIT', `metric '${name}': unknown value type ${JSON.stringify(contains)}`);
    }
    const existing = this.defs.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new TelltaleError(
          'TT_SCRIPT_INIT',
          `metric '${name}' already exists as a ${existing.type}; it cannot be defined again as a ${type}`,
        );
      }
      if (existing.contains !== contains) {
        throw new TelltaleError(
          'TT_SCRIPT_INIT',
          `metric '${name}' already exists with value type ${existing.contains}; it cannot be defined again ` +
            `with value type ${contains}`,
        );
      }
      return existing;
    }
    const def: MetricDef = Object.freeze({ name, type, contains });
    this.defs.set(name, def);
    return def;
  }

  get(name: string): MetricDef | undefined {
    return this.defs.get(name);
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  /** Every defined metric, built-ins first, then in order of definition. */
  all(): MetricDef[] {
    return [...this.defs.values()];
  }
}
