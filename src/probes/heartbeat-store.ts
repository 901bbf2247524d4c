/**
 * Push checks: the monitored job calls its ping URL after every run (or `/fail` when it failed), and the
 * check fails when no ping arrived within period + grace, as healthchecks.io and Uptime Kuma's push monitors
 * do. The store keeps, per heartbeat check, when it was registered and its last ping; the check's scheduled
 * runs (heartbeat-check.ts) turn that into results. State is in memory: after a restart the period starts
 * again from the restart, so a job is never reported late for the time the server was down.
 */
import type { HeartbeatCheck } from './check-types.ts';

export interface HeartbeatPing {
  /** Epoch ms. */
  readonly at: number;
  /** False for a `/fail` ping. */
  readonly ok: boolean;
  /** The ping's body, shortened, if it had one (a job's log tail, an error message). */
  readonly message?: string;
}

export interface HeartbeatState {
  readonly check: HeartbeatCheck;
  readonly registeredAt: number;
  readonly last?: HeartbeatPing;
  readonly pings: number;
}

const MAX_MESSAGE = 1000;

export class HeartbeatStore {
  readonly #now: () => number;
  readonly #byName = new Map<string, HeartbeatState>();
  readonly #byToken = new Map<string, string>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Adds or updates a check; an updated check keeps its last ping unless its token changed. */
  register(check: HeartbeatCheck): void {
    const old = this.#byName.get(check.name);
    if (old !== undefined) this.#byToken.delete(old.check.token);
    const other = this.#byToken.get(check.token);
    if (other !== undefined && other !== check.name) throw new Error(`heartbeat token of ${check.name} is already used by ${other}`);
    const keep = old !== undefined && old.check.token === check.token;
    this.#byName.set(check.name, keep ? { ...old, check } : { check, registeredAt: this.#now(), pings: 0 });
    this.#byToken.set(check.token, check.name);
  }

  unregister(name: string): void {
    const old = this.#byName.get(name);
    if (old === undefined) return;
    this.#byName.delete(name);
    this.#byToken.delete(old.check.token);
  }

  /** Records a ping; undefined when no check has this token. */
  ping(token: string, ok: boolean, message?: string): HeartbeatState | undefined {
    const name = this.#byToken.get(token);
    if (name === undefined) return undefined;
    const state = this.#byName.get(name)!;
    const text = message?.trim();
    const last: HeartbeatPing = {
      at: this.#now(),
      ok,
      ...(text ? { message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text } : {}),
    };
    const next = { ...state, last, pings: state.pings + 1 };
    this.#byName.set(name, next);
    return next;
  }

  state(name: string): HeartbeatState | undefined {
    return this.#byName.get(name);
  }
}
