/**
 * The sets of values the analysis grows to a fixed point: per binding, per function's return value,
 * per property written on an object. Each constraint (an initializer, an assignment, a return, a
 * call's arguments) remembers the slots it read while it ran, and only the constraints whose inputs
 * grew run again, so long chains of calls settle in a few rounds.
 */
import { TelltaleError } from '../../../errors.ts';
import type { AstNode } from './ast.ts';
import type { Binding } from './scope.ts';
import type { Val } from './domain.ts';

// Results are never mutated, so these can be shared.
export const EMPTY: Val[] = [];
const EMPTY_SET: Set<any> = new Set();
/** The slot holding every value written to any property of an object (for computed reads). */
export const ANY_PROPERTY = '\0any';
const MAX_ROUNDS = 10_000;
const IDLE = 0;
const SCHEDULED = 1;
const DONE = 2;

export class Slots {
  protected readonly bindingVals = new Map<Binding, Set<Val>>();
  protected readonly returnVals = new Map<AstNode, Set<Val>>();
  protected readonly propVals = new Map<Val, Map<string, Set<Val>>>();
  /** Set once every constraint has settled: slots no longer change and values can be memoized. */
  protected frozen = false;
  private readonly readers = new Map<Set<Val>, Set<number>>();
  private current = -1;
  private dirty = new Set<number>();
  private state = new Uint8Array(0);

  /** Runs the constraints until none adds a value, then freezes the slots. */
  protected settle(constraints: (() => void)[]): void {
    // Rounds alternate direction: forward suits declarations read after they are written, backward
    // suits arguments flowing from callers (usually further down) into the functions they call, so
    // a chain of calls settles in one round instead of one round per link.
    this.state = new Uint8Array(constraints.length);
    let pending = constraints.map((_, i) => i);
    for (let round = 0; pending.length; round++) {
      if (round >= MAX_ROUNDS) throw new TelltaleError('TT_SCRIPT_BUNDLE', 'the script is too complex to analyze for k6 compatibility');
      this.dirty = new Set();
      for (const i of pending) this.state[i] = SCHEDULED;
      for (const i of pending) {
        this.current = i;
        constraints[i]();
        this.state[i] = DONE;
      }
      for (const i of pending) this.state[i] = IDLE;
      pending = [...this.dirty].sort(round % 2 === 0 ? (a, b) => b - a : (a, b) => a - b);
    }
    this.current = -1;
    this.readers.clear();
    this.frozen = true;
  }

  protected props(v: Val, name: string | null): Val[] {
    if (this.frozen && !this.propVals.has(v)) return EMPTY;
    if (name === null) return [...this.readSet(this.propSlot(v, ANY_PROPERTY))];
    return [...this.readSet(this.propSlot(v, name)), ...this.readSet(this.propSlot(v, ''))];
  }

  /** The slot of `key`, noting that the constraint being evaluated depends on it. */
  protected read<K>(map: Map<K, Set<Val>>, key: K): Set<Val> {
    return this.readSet(this.frozen ? (map.get(key) ?? EMPTY_SET) : this.slot(map, key));
  }

  private readSet(set: Set<Val>): Set<Val> {
    this.track(set);
    return set;
  }

  private track(set: Set<Val>): void {
    if (this.current < 0) return;
    let r = this.readers.get(set);
    if (!r) this.readers.set(set, (r = new Set()));
    r.add(this.current);
  }

  protected propSlot(v: Val, name: string): Set<Val> {
    let slots = this.propVals.get(v);
    if (!slots) this.propVals.set(v, (slots = new Map()));
    let s = slots.get(name);
    if (!s) slots.set(name, (s = new Set()));
    return s;
  }

  protected slot<K>(map: Map<K, Set<Val>>, key: K): Set<Val> {
    let s = map.get(key);
    if (!s) map.set(key, (s = new Set()));
    return s;
  }

  protected add(set: Set<Val>, vals: Val[]): void {
    let grew = false;
    for (const v of vals) {
      if (!set.has(v)) {
        set.add(v);
        grew = true;
      }
    }
    if (!grew) return;
    // A reader still to run in this round will see the new values anyway.
    for (const r of this.readers.get(set) ?? EMPTY_SET) if (this.state[r as number] !== SCHEDULED || r === this.current) this.dirty.add(r as number);
  }
}
