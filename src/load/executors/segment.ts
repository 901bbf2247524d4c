/**
 * How a scenario is split between workers so that all workers together run exactly the whole.
 *
 * Countable things (VUs, stage targets) are striped: global item j belongs to worker j % count. Unlike splitting
 * a total into contiguous blocks, striping gives every item a fixed owner whatever the total, so a worker's
 * share never shrinks while the total grows: a ramp-up never stops a VU somewhere, a preAllocatedVUs share
 * never exceeds the maxVUs share.
 *
 * Iterations are dealt round-robin to VU slots (iteration k to slot k % slots), so each worker gets
 * iterations in proportion to its VUs and a worker without VUs gets none. With slots a multiple of count this
 * is simply k % count === index.
 */
import type { Segment } from '../types.ts';

/** How many of `total` striped items belong to the segment. */
export function shareOf(total: number, segment: Segment): number {
  if (total <= segment.index) return 0;
  return Math.floor((total - segment.index - 1) / segment.count) + 1;
}

/** How many of `items` iterations, dealt round-robin to `slots` striped VU slots, the segment gets. */
export function dealtShareOf(items: number, slots: number, segment: Segment): number {
  if (slots <= 0 || items <= 0) return 0;
  const cycles = Math.floor(items / slots);
  return cycles * shareOf(slots, segment) + shareOf(items - cycles * slots, segment);
}

/**
 * The global indices (ascending, unbounded) of the iterations dealt to the segment when iterations are dealt
 * round-robin to `slots` striped VU slots.
 */
export function* dealtIndices(slots: number, segment: Segment): Generator<number, void, undefined> {
  const own = shareOf(slots, segment);
  if (own === 0) return;
  for (let base = 0; ; base += slots) {
    for (let s = 0; s < own; s++) yield base + segment.index + s * segment.count;
  }
}
