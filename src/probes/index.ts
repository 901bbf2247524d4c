/** Synthetic monitoring: what `telltale serve` and the config loader use. */
export { parseChecks, validateChecks, formatPath, RESERVED_LABELS, type ParseChecksOptions, type Problem } from './parse-checks.ts';
export { loadChecksFile, parseChecksText } from './load-checks.ts';
export { CHECK_SCHEMAS, MIN_INTERVAL_MS, MAX_INTERVAL_MS, type CheckInput } from './check-schema.ts';
export { defineChecks } from './define-checks.ts';
export type {
  CheckDefinition, CheckType, DnsCheck, HeartbeatCheck, HttpCheck, MultistepCheck, TcpCheck, TlsCheck, TlsOptions,
} from './check-types.ts';
export type { CheckResult, CheckStatus, ProbeOutcome } from './result-types.ts';
export type { Assertion, AssertionResult, Comparison } from './assertions.ts';
export { parseJsonPath, evaluateJsonPath, JsonPathError } from './json-path.ts';
export { runCheck, type RunCheckDeps, type Probe } from './run-check.ts';
export { Scheduler, type SchedulerOptions, type CheckSchedule } from './scheduler.ts';
export { ProbeService, type ProbeServiceOptions } from './probe-service.ts';
export { ResultHistory } from './result-history.ts';
export { resultSamples, writeResult, checkLabels, type WriteReport } from './result-series.ts';
export { queryUptime, uptimeFromResults, computeUptime, UPTIME_WINDOWS, type Uptime } from './uptime.ts';
export { HeartbeatStore, type HeartbeatState } from './heartbeat-store.ts';
export { registerHeartbeatRoutes, type HeartbeatRouteDeps } from './heartbeat-routes.ts';
