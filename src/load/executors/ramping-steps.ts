/**
 * The VU count of a ramping-vus scenario over time, stepped the way k6 steps it: while ramping up the count is
 * the linear interpolation rounded down (VU n starts when the line reaches n), while ramping down it is
 * rounded up (a VU stops when the line reaches the count below it), and a stage of duration 0 jumps at once.
 */
import type { Segment, Stage } from '../types.ts';
import { shareOf } from './segment.ts';

export interface VuStep {
  /** ms from the scenario start */
  offsetMs: number;
  vus: number;
}

/** The whole scenario's steps, in time order: the count from `offsetMs` until the next step. Starts at offset 0. */
export function* rampingVuSteps(startVUs: number, stages: readonly Stage[]): Generator<VuStep, void, undefined> {
  // Several changes at one instant (a 0s stage, a stage right after it) leave only the last count, so a step is
  // held back until the next one shows it is not superseded.
  let pending: VuStep = { offsetMs: 0, vus: startVUs };
  let last: number | undefined;
  const flush = function* (): Generator<VuStep, void, undefined> {
    if (pending.vus !== last) {
      last = pending.vus;
      yield pending;
    }
  };
  let from = startVUs;
  let stageStart = 0;
  for (const stage of stages) {
    const to = stage.target;
    const d = stage.durationMs;
    const changes: Iterable<VuStep> =
      to === from ? [] : d === 0 ? [{ offsetMs: stageStart, vus: to }] : rampSteps(stageStart, d, from, to);
    for (const step of changes) {
      if (step.offsetMs === pending.offsetMs) pending.vus = step.vus;
      else {
        yield* flush();
        pending = step;
      }
    }
    from = to;
    stageStart += d;
  }
  yield* flush();
}

function* rampSteps(start: number, d: number, from: number, to: number): Generator<VuStep, void, undefined> {
  if (to > from) for (let u = from + 1; u <= to; u++) yield { offsetMs: start + (d * (u - from)) / (to - from), vus: u };
  else for (let u = from; u > to; u--) yield { offsetMs: start + (d * (from - u + 1)) / (from - to), vus: u - 1 };
}

/** The segment's steps: its share of the count at every step, leaving out steps that change nothing for it. */
export function* localVuSteps(steps: Iterable<VuStep>, segment: Segment): Generator<VuStep, void, undefined> {
  let last: number | undefined;
  for (const s of steps) {
    const vus = shareOf(s.vus, segment);
    if (vus === last) continue;
    last = vus;
    yield { offsetMs: s.offsetMs, vus };
  }
}

/** The most VUs the scenario ever has at once (before this worker's share). */
export function maxStageTarget(startVUs: number, stages: readonly Stage[]): number {
  return stages.reduce((max, s) => Math.max(max, s.target), startVUs);
}

export function stagesDurationMs(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}
