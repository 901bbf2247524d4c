/**
 * The metrics every run defines, with k6's names, types and value kinds, so that scripts and thresholds
 * written for k6 find them unchanged.
 */
import type { MetricDef } from './types.ts';

export const BUILTIN_METRICS: readonly MetricDef[] = Object.freeze([
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'vus_max', type: 'gauge', contains: 'default' },
  { name: 'iterations', type: 'counter', contains: 'default' },
  { name: 'iteration_duration', type: 'trend', contains: 'time' },
  { name: 'dropped_iterations', type: 'counter', contains: 'default' },
  { name: 'checks', type: 'rate', contains: 'default' },
  { name: 'group_duration', type: 'trend', contains: 'time' },
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_req_blocked', type: 'trend', contains: 'time' },
  { name: 'http_req_connecting', type: 'trend', contains: 'time' },
  { name: 'http_req_tls_handshaking', type: 'trend', contains: 'time' },
  { name: 'http_req_sending', type: 'trend', contains: 'time' },
  { name: 'http_req_waiting', type: 'trend', contains: 'time' },
  { name: 'http_req_receiving', type: 'trend', contains: 'time' },
  // Latency measured from the scheduled start of an arrival-rate iteration rather than from when the request
  // was actually sent, so a slow system cannot hide its queueing delay (coordinated omission).
  { name: 'http_req_corrected_duration', type: 'trend', contains: 'time' },
  { name: 'data_sent', type: 'counter', contains: 'data' },
  { name: 'data_received', type: 'counter', contains: 'data' },
].map((d) => Object.freeze(d as MetricDef)));

/** The sub-metric k6 always keeps, so the summary can show the latency of expected responses on its own. */
export const EXPECTED_RESPONSE_KEY = 'http_req_duration{expected_response:true}';
