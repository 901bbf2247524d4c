/**
 * Alert fingerprints exactly as Alertmanager (Prometheus' `model.LabelSet.Fingerprint`) computes them: 64-bit
 * FNV-1a over the label names in sorted order, each name and value followed by the byte 0xff, printed as 16
 * lower-case hex digits. Equal label sets always give equal fingerprints, whichever the order they came in.
 */
import type { Labels } from './alert.ts';

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;
const encoder = new TextEncoder();

function addBytes(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * PRIME) & MASK;
  }
  return h;
}

function addSeparator(hash: bigint): bigint {
  return ((hash ^ BigInt(SEPARATOR)) * PRIME) & MASK;
}

/** The fingerprint as a number (a 64-bit unsigned BigInt). */
export function fingerprintOf(labels: Labels): bigint {
  let h = OFFSET;
  for (const name of Object.keys(labels).sort(compareUtf8)) {
    h = addSeparator(addBytes(h, encoder.encode(name)));
    h = addSeparator(addBytes(h, encoder.encode(labels[name])));
  }
  return h;
}

/** The fingerprint as Alertmanager's API prints it (`%016x`). */
export function fingerprint(labels: Labels): string {
  return fingerprintOf(labels).toString(16).padStart(16, '0');
}

/** Go compares strings byte-wise; for label names (ASCII) this equals JavaScript's code-unit order. */
export function compareUtf8(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
