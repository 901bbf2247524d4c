/**
 * Run records as JSON text: the export file format and what the store keeps. Parsing validates the whole
 * record before returning anything, so a damaged file is rejected as a whole with an error naming the file and
 * the first bad field, never half accepted.
 */
import { TelltaleError } from '../errors.ts';
import { RECORD_FORMAT, RECORD_VERSION, runRecordSchema, type RunRecord } from './schema.ts';

/** JSON has no NaN or infinities: they are written as strings, which the schema reads back as numbers. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/** JSON text of any part of a record, non-finite numbers included. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/** The record as one line of JSON (plus a newline): the same record always gives the same bytes. */
export function serializeRecord(record: RunRecord): string {
  return `${toJson(record)}\n`;
}

/** `endpoints[3].series.p95[17]` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Validates a parsed value as a run record and returns it in canonical form. `source` names where it came from
 * (a file path, or `store run <id>`) in the error.
 */
export function validateRecord(value: unknown, source: string): RunRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(source, 'is not a run record (expected a JSON object)');
  }
  const v = value as Record<string, unknown>;
  if (v.format !== RECORD_FORMAT) {
    throw invalid(source, `is not a Telltale run record (format is ${JSON.stringify(v.format) ?? 'missing'}, expected "${RECORD_FORMAT}")`, 'format');
  }
  if (typeof v.version === 'number' && v.version > RECORD_VERSION) {
    throw invalid(source, `was written by a newer Telltale (record version ${v.version}; this version reads ${RECORD_VERSION})`, 'version');
  }
  let result: ReturnType<typeof runRecordSchema.safeParse>;
  try {
    result = runRecordSchema.safeParse(value);
  } catch (err) {
    // a pathologically nested value can exhaust the stack; that is bad input, not a crash
    throw invalid(source, `cannot be validated: ${(err as Error).message}`);
  }
  if (!result.success) {
    const issues = result.error.issues;
    const first = issues[0];
    const field = formatPath(first.path);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw invalid(source, `${field}: ${first.message}${more}`, field);
  }
  return result.data;
}

/** Parses and validates the text of a run record file. */
export function parseRecord(text: string, source: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const hint = text.trim() === '' ? 'the file is empty' : `${(err as Error).message}; a truncated or damaged file?`;
    throw invalid(source, `is not valid JSON: ${hint}`);
  }
  return validateRecord(value, source);
}

function invalid(source: string, message: string, field?: string): TelltaleError {
  return new TelltaleError('TT_RECORD_INVALID', `run record ${message}`, { file: source, field });
}
