/**
 * A Storage that forwards what each commit accepted to a remote_write sender (Prometheus' remote_write is
 * fed from its WAL, i.e. from committed samples). Refused samples and rolled-back batches are never sent;
 * a failed commit sends nothing.
 */
import type { Appender, Labels, Storage } from '../series/types.ts';

export interface SampleSink {
  enqueue(labels: Labels, t: number, v: number): void;
}

export class ForwardingStorage implements Storage {
  private readonly inner: Storage;
  private readonly sinks: readonly SampleSink[];

  constructor(inner: Storage, sinks: readonly SampleSink[]) {
    this.inner = inner;
    this.sinks = sinks;
  }

  appender(): Appender {
    const app = this.inner.appender();
    let labels: Labels[] = [];
    let ts: number[] = [];
    // a Float64Array keeps the staleness NaN's bits, which a plain number array may not
    let vs = new Float64Array(256);
    const sinks = this.sinks;
    return {
      append(l, t, v) {
        const why = app.append(l, t, v);
        if (why === undefined) {
          if (ts.length === vs.length) {
            const grown = new Float64Array(vs.length * 2);
            grown.set(vs);
            vs = grown;
          }
          vs[ts.length] = v;
          labels.push(l);
          ts.push(t);
        }
        return why;
      },
      async commit() {
        await app.commit();
        const l = labels;
        const t = ts;
        const v = vs;
        labels = [];
        ts = [];
        vs = new Float64Array(256);
        for (const sink of sinks) for (let i = 0; i < t.length; i++) sink.enqueue(l[i], t[i], v[i]);
      },
      rollback() {
        app.rollback();
        labels = [];
        ts = [];
        vs = new Float64Array(256);
      },
    };
  }
}
