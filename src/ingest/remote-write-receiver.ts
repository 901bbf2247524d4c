/**
 * The remote_write 1.0 receiver: decode a whole request, append every sample, commit once.
 *
 * Status codes follow Prometheus' receiver: 204 when everything was stored; 400 for a body that is not
 * snappy or not a WriteRequest (nothing is appended), and 400 when the store refused samples as out of
 * order, out of bounds or duplicates, so the sender drops the batch instead of retrying it forever; 500 when
 * the store fails to commit (the sender retries). One divergence, on purpose: Prometheus 2.x rolls back the
 * whole request when one sample is refused; Telltale keeps the samples it accepted (a sender drops a batch
 * answered with 400, so rolling back would lose them) and names the refusals in the 400 message.
 */
import { TelltaleError } from '../errors.ts';
import type { Appender, Storage } from '../series/types.ts';
import { describeRejections, emptyRejections, totalRejections, type RejectionCounts } from './append-stats.ts';
import { MAX_UNCOMPRESSED_BYTES, decodeWriteRequest, snappyDecode, type DecodedWriteRequest, type LabelsCache } from './remote-write-codec.ts';
import { SnappyScratch } from './snappy.ts';

export interface WriteOutcome {
  status: 204 | 400 | 500;
  /** Empty for 204. */
  message: string;
  accepted: number;
  rejected: RejectionCounts;
  /** Native histogram samples and exemplars, which are not stored. */
  skipped: number;
}

/** Totals across requests, for the server's own metrics. */
export interface RemoteWriteStats {
  requests: number;
  malformed: number;
  samplesAccepted: number;
  samplesRejected: number;
  commitFailures: number;
}

export function newRemoteWriteStats(): RemoteWriteStats {
  return { requests: 0, malformed: 0, samplesAccepted: 0, samplesRejected: 0, commitFailures: 0 };
}

/** Appends a decoded request through one appender; returns the counts (does not commit). */
export function appendWriteRequest(req: DecodedWriteRequest, append: Appender): {
  accepted: number;
  rejected: RejectionCounts;
} {
  const rejected = emptyRejections();
  let accepted = 0;
  const flat = req.flat;
  if (flat) {
    const { labels, slots, starts, timestamps, values } = flat;
    const appendCached = append.appendCached;
    for (let k = 0; k < labels.length; k++) {
      const l = labels[k];
      for (let i = starts[k]; i < starts[k + 1]; i++) {
        const why = slots && appendCached ? appendCached.call(append, slots[k], l, timestamps[i], values[i]) : append.append(l, timestamps[i], values[i]);
        if (why === undefined) accepted++;
        else rejected[why]++;
      }
    }
    return { accepted, rejected };
  }
  for (const s of req.series) {
    const { labels, timestamps, values } = s;
    for (let i = 0; i < timestamps.length; i++) {
      const why = append.append(labels, timestamps[i], values[i]);
      if (why === undefined) accepted++;
      else rejected[why]++;
    }
  }
  return { accepted, rejected };
}

/**
 * One buffer for every request's decompressed body: a body is decoded, synchronously, before the next one is
 * decompressed, and nothing decoded refers to its bytes.
 */
const bodyScratch = new SnappyScratch();

/** `cache`: the receiver's label sets seen before (see LabelsCache); every request decodes all labels without it. */
export async function receiveRemoteWrite(storage: Storage, body: Uint8Array, stats?: RemoteWriteStats, cache?: LabelsCache): Promise<WriteOutcome> {
  if (stats) stats.requests++;
  let req: DecodedWriteRequest;
  try {
    req = decodeWriteRequest(snappyDecode(body, MAX_UNCOMPRESSED_BYTES, bodyScratch), cache);
  } catch (err) {
    if (stats) stats.malformed++;
    if (err instanceof TelltaleError) return { status: 400, message: err.message, accepted: 0, rejected: emptyRejections(), skipped: 0 };
    throw err;
  }
  const app = storage.appender();
  const { accepted, rejected } = appendWriteRequest(req, app);
  try {
    await app.commit();
  } catch (err) {
    app.rollback();
    if (stats) stats.commitFailures++;
    return { status: 500, message: `storing the samples failed: ${(err as Error).message}`, accepted: 0, rejected, skipped: 0 };
  }
  const refused = totalRejections(rejected);
  if (stats) {
    stats.samplesAccepted += accepted;
    stats.samplesRejected += refused;
  }
  const skipped = req.histograms + req.exemplars;
  if (refused > 0) {
    return { status: 400, message: `${describeRejections(rejected)}; ${accepted} stored`, accepted, rejected, skipped };
  }
  return { status: 204, message: '', accepted, rejected, skipped };
}
