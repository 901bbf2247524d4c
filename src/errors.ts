/**
 * Every error Telltale reports on purpose carries a stable code and the process exit code it maps to.
 * Exit codes follow k6 where k6 has one (99 thresholds failed, 104 invalid config, 107 script exception ...),
 * so CI jobs written for k6 keep working. Every code is documented in docs/errors.md (a test checks it).
 */
export const ERROR_CODES = {
  TT_USAGE: { exitCode: 2, summary: 'Command-line usage error (unknown flag, bad flag value).' },
  TT_CONFIG_INVALID: { exitCode: 104, summary: 'Test options or a config file failed validation.' },
  TT_SCRIPT_NOT_FOUND: { exitCode: 104, summary: 'The script file does not exist or cannot be read.' },
  TT_SCRIPT_BUNDLE: { exitCode: 107, summary: 'The script (or a module it imports) does not parse or bundle.' },
  TT_SCRIPT_INIT: { exitCode: 107, summary: 'The script threw while its init code ran.' },
  TT_SCRIPT_EXPORT: { exitCode: 107, summary: 'A function the options refer to (default, exec, setup...) is not exported.' },
  TT_MODULE_UNSUPPORTED: { exitCode: 107, summary: 'The script imports a module Telltale does not provide.' },
  TT_OPEN_FAILED: { exitCode: 107, summary: 'open() could not read a file, or was called outside the init context.' },
  TT_THRESHOLD_INVALID: { exitCode: 104, summary: 'A threshold expression does not parse or does not fit its metric.' },
  TT_THRESHOLD_UNKNOWN_METRIC: { exitCode: 104, summary: 'A threshold names a metric the test never defines.' },
  TT_THRESHOLDS_FAILED: { exitCode: 99, summary: 'One or more thresholds failed.' },
  TT_SETUP_FAILED: { exitCode: 107, summary: 'setup() threw.' },
  TT_SETUP_TIMEOUT: { exitCode: 100, summary: 'setup() exceeded setupTimeout.' },
  TT_TEARDOWN_TIMEOUT: { exitCode: 101, summary: 'teardown() exceeded teardownTimeout.' },
  TT_TEST_ABORTED: { exitCode: 108, summary: 'The script aborted the test (exec.test.abort() or fail in setup).' },
  TT_EXTERNAL_ABORT: { exitCode: 105, summary: 'The run was interrupted (SIGINT/SIGTERM) and stopped gracefully.' },
  TT_OUTPUT_INVALID: { exitCode: 104, summary: 'An --out or --summary-export target is malformed or cannot be written.' },
  TT_PROFILE_UNKNOWN: { exitCode: 104, summary: 'An unknown --profile name or profile parameter.' },
  TT_CAPACITY_FAILED: { exitCode: 99, summary: 'Capacity search found no rate that meets the thresholds.' },
  TT_WORKER_FAILED: { exitCode: 103, summary: 'A load worker thread crashed.' },
  TT_STORE_UNAVAILABLE: { exitCode: 3, summary: 'The run store (SQLite file or PostgreSQL) cannot be opened, reached or written.' },
  TT_STORE_VERSION: { exitCode: 3, summary: 'The run store was migrated by a newer Telltale than this one.' },
  TT_RECORD_INVALID: { exitCode: 3, summary: 'A run record (file or stored) is not valid JSON or fails validation.' },
  TT_RUN_NOT_FOUND: { exitCode: 3, summary: 'No run in the store has the given id (or id prefix).' },
  TT_RUN_AMBIGUOUS: { exitCode: 2, summary: 'An id prefix matches more than one run.' },
  TT_RUN_EXISTS: { exitCode: 3, summary: 'A different run with the same id is already in the store.' },
  TT_RUN_PUSH: { exitCode: 3, summary: 'telltale run --push: the server could not be reached or refused the run record.' },
  TT_BASELINE_NOT_FOUND: { exitCode: 3, summary: 'No baseline is set for the test, or no run qualifies as one.' },
  TT_GATE_FAILED: { exitCode: 99, summary: 'The gate found a regression (or, with --fail-on-inconclusive, could not decide).' },
  TT_GATE_CONFIG: { exitCode: 3, summary: 'The gate config file (--config gate.yaml) cannot be read, is not YAML or fails validation.' },
  TT_GATE_MISMATCH: { exitCode: 3, summary: 'The runs the gate compares do not fit: another test, or no data for a rule.' },
  TT_TSDB_LOCKED: { exitCode: 3, summary: 'The series store directory is locked by another running process.' },
  TT_TSDB_CORRUPT: { exitCode: 3, summary: 'A series store file (WAL segment, chunk file, index) is damaged beyond what recovery may skip.' },
  TT_TSDB_UNAVAILABLE: { exitCode: 3, summary: 'The series store directory cannot be created, read or written.' },
  TT_INGEST_INVALID: { exitCode: 2, summary: 'An exposition body, OTLP payload or remote_write request is malformed.' },
  TT_PROMQL_PARSE: { exitCode: 2, summary: 'A PromQL expression does not parse or does not type-check.' },
  TT_PROMQL_EXEC: { exitCode: 3, summary: 'A PromQL query failed while it ran (limits, timeout, many-to-many matching ...).' },
  TT_CHECK_INVALID: { exitCode: 104, summary: 'A synthetic check definition (or a JSON path / assertion in it) failed validation.' },
  TT_SERVE_CONFIG: { exitCode: 104, summary: 'The server configuration (flags or config file) is invalid.' },
  TT_ALERTING_CONFIG: { exitCode: 104, summary: 'The alerting configuration (alertmanager.yml) is invalid.' },
  TT_ALERTING_INPUT: { exitCode: 2, summary: 'An alert, silence or acknowledgement sent to the alerting API is malformed.' },
  TT_ALERTING_NOT_FOUND: { exitCode: 3, summary: 'No silence, alert or alert group has the given id.' },
  TT_ALERTING_NOTIFY: { exitCode: 3, summary: 'A receiver could not be notified after every allowed attempt.' },
  TT_TEMPLATE_INVALID: { exitCode: 104, summary: 'An alert template (label or annotation) does not parse, calls an unknown function, or fails while it runs.' },
  TT_RULES_INVALID: { exitCode: 1, summary: 'A Prometheus rule file does not parse or fails validation.' },
  TT_AUTH_REQUIRED: { exitCode: 2, summary: 'The server needs a login session or an API token, and none (or an unknown, expired or revoked one) was given.' },
  TT_AUTH_FORBIDDEN: { exitCode: 2, summary: 'The user or token is known but lacks the permission the request needs, or a browser request failed the CSRF check.' },
  TT_AUTH_RATE_LIMITED: { exitCode: 2, summary: 'Too many failed logins from this address or for this user; retry after the time given.' },
  TT_AUTH_INPUT: { exitCode: 2, summary: 'A login, user or token request is malformed (missing field, unknown role or scope, weak password, duplicate name).' },
  TT_AUTH_NOT_FOUND: { exitCode: 3, summary: 'No user or token has the given name or id.' },
  TT_ANNOTATION_INPUT: { exitCode: 2, summary: 'An annotation sent to the annotations API (or given to `telltale annotate`) is malformed.' },
  TT_ANNOTATION_NOT_FOUND: { exitCode: 3, summary: 'No annotation has the given id.' },
  TT_SERVER_REQUEST: { exitCode: 3, summary: 'A command could not reach the running server, or the server refused the request.' },
  TT_INTERNAL: { exitCode: 103, summary: 'An unexpected internal error (a bug: please report it).' },
} as const satisfies Record<string, { exitCode: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface TelltaleErrorOptions {
  cause?: unknown;
  /** Overrides the code's default exit code. */
  exitCode?: number;
  /** Where the problem is: a file path, optionally with line and column. */
  file?: string;
  line?: number;
  column?: number;
  /** The offending field, as a dotted path (`scenarios.checkout.rate`). */
  field?: string;
  /** Extra lines printed under the message (the offending source line, a suggestion). */
  hint?: string;
}

export class TelltaleError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: TelltaleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TelltaleError';
    this.code = code;
    this.exitCode = options.exitCode ?? ERROR_CODES[code].exitCode;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.field = options.field;
    this.hint = options.hint;
  }

  /** `file:line:column: message [CODE]` — the one-line form the CLI prints. */
  format(): string {
    let where = '';
    if (this.file) {
      where = this.file;
      if (this.line !== undefined) where += `:${this.line}`;
      if (this.line !== undefined && this.column !== undefined) where += `:${this.column}`;
      where += ': ';
    }
    return `${where}${this.message} [${this.code}]${this.hint ? `\n${this.hint}` : ''}`;
  }
}

export function isTelltaleError(err: unknown): err is TelltaleError {
  return err instanceof TelltaleError;
}
