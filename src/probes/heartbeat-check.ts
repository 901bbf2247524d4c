/**
 * A heartbeat check's scheduled run: it probes nothing, it judges the pings the store received. Failed when
 * the last ping reported a failure, or when the next ping is overdue (last ping, or registration when there
 * was none yet, + period + grace); passed otherwise.
 */
import type { HeartbeatCheck } from './check-types.ts';
import type { HeartbeatStore } from './heartbeat-store.ts';
import type { ProbeOutcome } from './result-types.ts';
import { verdict, type ProbeContext } from './verdict.ts';

export function runHeartbeatCheck(def: HeartbeatCheck, store: HeartbeatStore | undefined, ctx: ProbeContext): ProbeOutcome {
  const state = store?.state(def.name);
  if (state === undefined) {
    return verdict(def, { error: 'the heartbeat check is not registered with the ping endpoint', durationMs: 0, assertions: [] });
  }
  const now = ctx.now();
  const last = state.last;
  const deadline = (last?.at ?? state.registeredAt) + def.periodMs + def.graceMs;
  const failures: string[] = [];
  if (last !== undefined && !last.ok) {
    failures.push(`the job reported a failure at ${new Date(last.at).toISOString()}${last.message ? `: ${last.message}` : ''}`);
  } else if (now > deadline) {
    const since = last === undefined ? `no ping since the check started at ${new Date(state.registeredAt).toISOString()}` : `the last ping was at ${new Date(last.at).toISOString()}`;
    failures.push(`${since}; one was due every ${def.periodMs / 1000}s (+${def.graceMs / 1000}s grace), by ${new Date(deadline).toISOString()}`);
  }
  return verdict(def, {
    durationMs: 0,
    assertions: [],
    failures,
    heartbeat: {
      ...(last === undefined ? {} : { lastPingAt: last.at }),
      reportedFailure: last !== undefined && !last.ok,
      deadline,
      ...(last?.message === undefined ? {} : { lastMessage: last.message }),
    },
  });
}
