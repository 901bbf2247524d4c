/**
 * The silence book: create / update / expire / list / get, kept in memory for matching and written through
 * to the alert store so silences survive restarts. Updating follows Alertmanager: a pending silence, or an
 * active one whose matchers and start are unchanged, is changed in place; any other change to an active
 * silence expires it and creates a new one (so the history of what was muted stays true).
 */
import { randomUUID } from 'node:crypto';
import { TelltaleError } from '../errors.ts';
import type { AlertStore } from './alert-store.ts';
import type { Labels } from './alert.ts';
import { matchesAll, type LabelMatcher } from './matchers.ts';
import { silenceState, validateSilence, type Silence, type SilenceInput, type SilenceState } from './silence-model.ts';

export interface Clock {
  now(): number;
}

interface Entry {
  silence: Silence;
  matchers: LabelMatcher[];
}

export interface SilenceFilter {
  /** only silences in this state */
  state?: SilenceState;
  /** only silences that would mute this label set */
  matching?: Labels;
}

export class Silences {
  private readonly store: AlertStore;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();

  constructor(store: AlertStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  async load(): Promise<void> {
    for (const s of await this.store.listSilences()) {
      try {
        this.entries.set(s.id, { silence: s, matchers: validateSilence(s) });
      } catch {
        // a stored silence that no longer validates (a regex this engine refuses) mutes nothing rather than failing startup
      }
    }
  }

  private async save(s: Silence, matchers: LabelMatcher[]): Promise<void> {
    await this.store.putSilence(s);
    this.entries.set(s.id, { silence: s, matchers });
  }

  /** Creates a silence, or updates the one named by `input.id`. Returns the id that now holds it. */
  async upsert(input: SilenceInput): Promise<string> {
    const now = this.clock.now();
    const matchers = validateSilence(input);
    const existing = input.id ? this.entries.get(input.id) : undefined;
    if (input.id && !existing) throw new TelltaleError('TT_ALERTING_NOT_FOUND', `no silence with id ${input.id}`);
    if (existing) {
      const old = existing.silence;
      const state = silenceState(old, now);
      const sameMatchers = JSON.stringify(old.matchers) === JSON.stringify(input.matchers.map(normalise));
      const inPlace = state === 'pending' ? input.startsAt >= now || input.startsAt === old.startsAt : state === 'active' && sameMatchers && input.startsAt === old.startsAt;
      if (inPlace && input.endsAt >= now) {
        await this.save({ ...old, ...fields(input), id: old.id, updatedAt: now }, matchers);
        return old.id;
      }
      if (state !== 'expired') await this.expireEntry(existing, now);
    }
    if (input.endsAt <= now) throw new TelltaleError('TT_ALERTING_INPUT', 'endsAt: a new silence must end in the future', { field: 'endsAt' });
    const id = randomUUID();
    await this.save({ id, ...fields(input), startsAt: Math.max(input.startsAt, now), updatedAt: now }, matchers);
    return id;
  }

  async expire(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) throw new TelltaleError('TT_ALERTING_NOT_FOUND', `no silence with id ${id}`);
    const now = this.clock.now();
    if (silenceState(e.silence, now) === 'expired') throw new TelltaleError('TT_ALERTING_INPUT', `silence ${id} is already expired`);
    await this.expireEntry(e, now);
  }

  private async expireEntry(e: Entry, now: number): Promise<void> {
    const s = e.silence;
    const pending = silenceState(s, now) === 'pending';
    await this.save({ ...s, startsAt: pending ? now : s.startsAt, endsAt: now, updatedAt: now }, e.matchers);
  }

  get(id: string): (Silence & { state: SilenceState }) | undefined {
    const e = this.entries.get(id);
    return e ? { ...e.silence, state: silenceState(e.silence, this.clock.now()) } : undefined;
  }

  list(filter: SilenceFilter = {}): Array<Silence & { state: SilenceState }> {
    const now = this.clock.now();
    const out: Array<Silence & { state: SilenceState }> = [];
    for (const e of this.entries.values()) {
      const state = silenceState(e.silence, now);
      if (filter.state && state !== filter.state) continue;
      if (filter.matching && !matchesAll(e.matchers, filter.matching)) continue;
      out.push({ ...e.silence, state });
    }
    // Alertmanager lists active first, then pending, then expired; newest end first within each
    const rank = { active: 0, pending: 1, expired: 2 } as const;
    return out.sort((a, b) => rank[a.state] - rank[b.state] || b.endsAt - a.endsAt || (a.id < b.id ? -1 : 1));
  }

  /** Ids of the active silences that mute this label set. */
  mutedBy(labels: Labels): string[] {
    const now = this.clock.now();
    const out: string[] = [];
    for (const e of this.entries.values()) {
      if (silenceState(e.silence, now) === 'active' && matchesAll(e.matchers, labels)) out.push(e.silence.id);
    }
    return out.sort();
  }

  /** Earliest future instant a silence starts or ends, so the dispatcher can re-check what is muted then. */
  nextChangeAt(): number | undefined {
    const now = this.clock.now();
    let next: number | undefined;
    for (const { silence: s } of this.entries.values()) {
      for (const t of [s.startsAt, s.endsAt]) if (t > now && (next === undefined || t < next)) next = t;
    }
    return next;
  }
}

function normalise(m: SilenceInput['matchers'][number]) {
  return { name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual };
}

function fields(input: SilenceInput): Omit<Silence, 'id' | 'updatedAt'> {
  return {
    matchers: input.matchers.map(normalise),
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    createdBy: input.createdBy,
    comment: input.comment,
  };
}
