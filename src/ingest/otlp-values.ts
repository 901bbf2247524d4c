/**
 * Type-checked reads of an OTLP request in its JSON shape (a decoded protobuf message has the same shape).
 * A value of the wrong type throws TT_INGEST_INVALID naming the field path, e.g.
 * `resourceMetrics[0].scopeMetrics[0].metrics[3].sum.dataPoints[1].timeUnixNano`.
 */
import { TelltaleError } from '../errors.ts';

export type Json = unknown;
export type JsonObject = Record<string, unknown>;

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

export function invalid(path: string, message: string): never {
  throw new TelltaleError('TT_INGEST_INVALID', `${path}: ${message}`, { field: path });
}

/** Reads a field by its JSON name, or by the proto name (snake_case), which OTLP/JSON receivers also accept. */
export function field(o: JsonObject, camel: string): unknown {
  if (camel in o) return o[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return o[snake];
}

export function asObject(v: unknown, path: string): JsonObject {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(path, `expected an object, got ${kind(v)}`);
  return v as JsonObject;
}

export function asArray(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) invalid(path, `expected an array, got ${kind(v)}`);
  return v;
}

export function asString(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') invalid(path, `expected a string, got ${kind(v)}`);
  return v;
}

export function asBool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') invalid(path, `expected a boolean, got ${kind(v)}`);
  return v;
}

/** A double: a JSON number or, as protobuf's JSON mapping allows, "NaN", "Infinity", "-Infinity" or a numeric string. */
export function asDouble(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(v)) return Number(v);
  }
  return invalid(path, `expected a number, got ${kind(v)}`);
}

const INT = /^-?\d+$/;

/** An int64/uint64 as a BigInt: a decimal string (the JSON mapping) or an integral JSON number. */
export function asBigInt(v: unknown, path: string, unsigned: boolean): bigint {
  if (v === undefined || v === null) return 0n;
  let n: bigint | undefined;
  if (typeof v === 'string' && INT.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  if (n === undefined) return invalid(path, `expected an integer (a decimal string), got ${kind(v)}`);
  if (unsigned && n < 0n) invalid(path, `expected an unsigned integer, got ${v}`);
  if (n > 18446744073709551615n || n < -9223372036854775808n) invalid(path, `integer ${v} is out of the 64-bit range`);
  return n;
}

/** A `*_unix_nano` timestamp as ms (truncated, as Prometheus' OTLP translator does). */
export function asNanosToMs(v: unknown, path: string): number {
  return Number(asBigInt(v, path, true) / 1_000_000n);
}

export function asCount(v: unknown, path: string): number {
  return Number(asBigInt(v, path, true));
}

/** An AnyValue as the string Prometheus stores for an attribute. */
export function anyValueString(v: unknown, path: string): string {
  const o = asObject(v, path);
  if ('stringValue' in o || 'string_value' in o) return asString(field(o, 'stringValue'), `${path}.stringValue`);
  if ('boolValue' in o || 'bool_value' in o) return String(asBool(field(o, 'boolValue'), `${path}.boolValue`));
  if ('intValue' in o || 'int_value' in o) return String(asBigInt(field(o, 'intValue'), `${path}.intValue`, false));
  if ('doubleValue' in o || 'double_value' in o) return formatDecimal(asDouble(field(o, 'doubleValue'), `${path}.doubleValue`));
  if ('bytesValue' in o || 'bytes_value' in o) return asString(field(o, 'bytesValue'), `${path}.bytesValue`);
  if ('arrayValue' in o || 'array_value' in o) {
    const values = asArray(field(asObject(field(o, 'arrayValue'), `${path}.arrayValue`), 'values'), `${path}.arrayValue.values`);
    return JSON.stringify(values.map((x, i) => anyValueString(x, `${path}.arrayValue.values[${i}]`)));
  }
  if ('kvlistValue' in o || 'kvlist_value' in o) {
    const values = asArray(field(asObject(field(o, 'kvlistValue'), `${path}.kvlistValue`), 'values'), `${path}.kvlistValue.values`);
    const out: Record<string, string> = {};
    values.forEach((x, i) => {
      const kv = asObject(x, `${path}.kvlistValue.values[${i}]`);
      out[asString(kv.key, `${path}.kvlistValue.values[${i}].key`)] = anyValueString(kv.value, `${path}.kvlistValue.values[${i}].value`);
    });
    return JSON.stringify(out);
  }
  return '';
}

/** A float in plain decimal notation (Go's FormatFloat(v, 'f', -1, 64)), used for `le` and `quantile` labels. */
export function formatDecimal(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = s[0] === '-' ? '-' : '';
  const mantissa = s.slice(sign.length, e).replace('.', '');
  const pointAt = s.slice(sign.length, e).indexOf('.');
  const intDigits = (pointAt < 0 ? e - sign.length : pointAt) + Number(s.slice(e + 1));
  if (intDigits <= 0) return `${sign}0.${'0'.repeat(-intDigits)}${mantissa}`;
  if (intDigits >= mantissa.length) return `${sign}${mantissa}${'0'.repeat(intDigits - mantissa.length)}`;
  return `${sign}${mantissa.slice(0, intDigits)}.${mantissa.slice(intDigits)}`;
}
