/**
 * Float64 ↔ two uint32 halves through one DataView, so NaN payloads (Prometheus' StaleNaN) survive: the
 * value never passes through a plain JS number array, which V8 may canonicalize.
 */
const view = new DataView(new ArrayBuffer(8));

export function hiBits(v: number): number {
  view.setFloat64(0, v);
  return view.getUint32(0);
}

/** The low half of the value last given to `hiBits` (call them in that order). */
export function loBitsOfLast(): number {
  return view.getUint32(4);
}

export function fromBits(hi: number, lo: number): number {
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

/** True when two values have the same bit pattern (so NaN equals the same NaN, and 0 differs from -0). */
export function sameBits(a: number, b: number): boolean {
  if (a === b) return a !== 0 || 1 / a === 1 / b;
  if (a === a || b === b) return false;
  const ah = hiBits(a);
  const al = loBitsOfLast();
  return ah === hiBits(b) && al === loBitsOfLast();
}
