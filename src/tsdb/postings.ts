/**
 * Postings: for every label pair the sorted list of series (refs in the head, ordinals in a block) that
 * carry it. A selector is answered from these lists, never by scanning series: `=` matchers intersect lists,
 * a regular expression unions the lists of the label values it matches (it scans values, not series), and a
 * matcher that also matches the empty string (`!=`, `!~`, `=~".*"`) subtracts the lists of the values it
 * refuses.
 */
import type { CompiledMatcher } from '../series/matchers.ts';

export type Postings = ArrayLike<number>;

export interface PostingsIndex {
  /** The values the label takes (any order). */
  labelValues(name: string): Iterable<string>;
  postings(name: string, value: string): Postings | undefined;
  /** Every series, sorted. */
  allPostings(): Postings;
}

const EMPTY: Postings = new Int32Array(0);

/** The sorted series ids matching every matcher. */
export function selectPostings(index: PostingsIndex, matchers: readonly CompiledMatcher[]): Postings {
  const include: Postings[] = [];
  const exclude: Postings[] = [];
  for (const m of matchers) {
    if (m.matcher.type === '=' && !m.matchesEmpty) {
      include.push(index.postings(m.name, m.matcher.value) ?? EMPTY);
    } else if (!m.matchesEmpty) {
      include.push(unionOfValues(index, m.name, (v) => m.matches(v)));
    } else if (m.matcher.type === '!=') {
      const p = index.postings(m.name, m.matcher.value);
      if (p) exclude.push(p);
    } else {
      // Series lacking the label match; those with a refused value do not.
      exclude.push(unionOfValues(index, m.name, (v) => !m.matches(v)));
    }
  }
  include.sort((a, b) => a.length - b.length);
  let out: Postings = include.length === 0 ? index.allPostings() : include[0];
  for (let i = 1; i < include.length && out.length > 0; i++) out = intersect(out, include[i]);
  for (const p of exclude) if (out.length > 0 && p.length > 0) out = subtract(out, p);
  return out;
}

function unionOfValues(index: PostingsIndex, name: string, keep: (v: string) => boolean): Postings {
  const lists: Postings[] = [];
  let total = 0;
  for (const v of index.labelValues(name)) {
    if (!keep(v)) continue;
    const p = index.postings(name, v);
    if (p && p.length > 0) {
      lists.push(p);
      total += p.length;
    }
  }
  if (lists.length === 0) return EMPTY;
  if (lists.length === 1) return lists[0];
  // One series has one value per label, so the lists are disjoint: concatenate and sort.
  const out = new Float64Array(total);
  let k = 0;
  for (const p of lists) for (let i = 0; i < p.length; i++) out[k++] = p[i];
  return out.sort();
}

export function intersect(a: Postings, b: Postings): Postings {
  if (a.length > b.length) [a, b] = [b, a];
  const out: number[] = [];
  if (a.length * 16 < b.length) {
    let lo = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      let hi = b.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (b[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      if (lo < b.length && b[lo] === x) out.push(x);
    }
    return out;
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

export function subtract(a: Postings, b: Postings): Postings {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    while (j < b.length && b[j] < x) j++;
    if (j < b.length && b[j] === x) continue;
    out.push(x);
  }
  return out;
}

/** Postings for label pairs, kept as series are added (ids ascending). */
export class MemPostings implements PostingsIndex {
  private readonly byName = new Map<string, Map<string, number[]>>();
  private all: number[] = [];

  add(id: number, labels: Readonly<Record<string, string>>): void {
    this.all.push(id);
    for (const name in labels) {
      const value = labels[name];
      let values = this.byName.get(name);
      if (!values) this.byName.set(name, (values = new Map()));
      const list = values.get(value);
      if (list) list.push(id);
      else values.set(value, [id]);
    }
  }

  labelNames(): Iterable<string> {
    return this.byName.keys();
  }

  labelValues(name: string): Iterable<string> {
    return this.byName.get(name)?.keys() ?? [];
  }

  postings(name: string, value: string): Postings | undefined {
    return this.byName.get(name)?.get(value);
  }

  allPostings(): Postings {
    return this.all;
  }
}
