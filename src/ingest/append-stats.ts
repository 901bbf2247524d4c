/** Counts of what an appender accepted and refused, by reason, for responses and ingest metrics. */
import type { AppendRejection } from '../series/types.ts';

export type RejectionCounts = Record<AppendRejection, number>;

export function emptyRejections(): RejectionCounts {
  return { invalid_labels: 0, out_of_order: 0, out_of_bounds: 0, duplicate_sample: 0 };
}

export function totalRejections(r: RejectionCounts): number {
  return r.invalid_labels + r.out_of_order + r.out_of_bounds + r.duplicate_sample;
}

const WORDS: Record<AppendRejection, string> = {
  invalid_labels: 'with invalid labels',
  out_of_order: 'out of order',
  out_of_bounds: 'out of bounds',
  duplicate_sample: 'duplicate sample for timestamp',
};

/** `3 samples refused: 2 out of order, 1 duplicate sample for timestamp` */
export function describeRejections(r: RejectionCounts, noun = 'samples'): string {
  const parts = (Object.keys(WORDS) as AppendRejection[]).filter((k) => r[k] > 0).map((k) => `${r[k]} ${WORDS[k]}`);
  return `${totalRejections(r)} ${noun} refused: ${parts.join(', ')}`;
}
