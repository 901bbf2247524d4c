/**
 * A minimal Prometheus remote-write client for the benchmark: WriteRequest protobuf encoded by hand
 * (TimeSeries{labels, samples}), snappy-compressed, POSTed to /api/v1/write.
 */
import snappy from 'snappyjs';
import type { Labels } from '../src/series/types.ts';

function varint(n: number, out: number[]): void {
  // Non-negative values only (lengths, millisecond timestamps after 1970).
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function bytesField(field: number, payload: Uint8Array, out: number[]): void {
  varint((field << 3) | 2, out);
  varint(payload.length, out);
  for (const b of payload) out.push(b);
}

const text = new TextEncoder();

/** The encoded `labels` fields of one TimeSeries (computed once per series). */
export function encodeLabels(labels: Labels): Uint8Array {
  const out: number[] = [];
  for (const name of Object.keys(labels).sort()) {
    const l: number[] = [];
    bytesField(1, text.encode(name), l);
    bytesField(2, text.encode(labels[name]), l);
    bytesField(1, Uint8Array.from(l), out);
  }
  return Uint8Array.from(out);
}

const f64 = new DataView(new ArrayBuffer(8));

/** One TimeSeries field of a WriteRequest: pre-encoded labels plus samples. */
export function encodeSeries(labels: Uint8Array, t: number[], v: number[], out: number[]): void {
  const body: number[] = [];
  for (const b of labels) body.push(b);
  for (let i = 0; i < t.length; i++) {
    const s: number[] = [0x09];
    f64.setFloat64(0, v[i], true);
    for (let k = 0; k < 8; k++) s.push(f64.getUint8(k));
    s.push(0x10);
    varint(t[i], s);
    body.push(0x12);
    varint(s.length, body);
    for (const b of s) body.push(b);
  }
  out.push(0x0a);
  varint(body.length, out);
  for (const b of body) out.push(b);
}

export async function remoteWrite(url: string, request: number[]): Promise<void> {
  const body = snappy.compress(Uint8Array.from(request));
  const res = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
  });
  if (!res.ok) throw new Error(`remote write: HTTP ${res.status}: ${await res.text()}`);
}
