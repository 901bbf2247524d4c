/**
 * `http.expectedStatuses(...)`: the only kind of response callback k6 accepts. It decides whether a response
 * counts as failed in http_req_failed and what the expected_response tag says. A network error has status 0.
 */

export interface StatusRange {
  min: number;
  max: number;
}

export class ExpectedStatuses {
  readonly exact: readonly number[];
  readonly ranges: readonly StatusRange[];

  constructor(exact: readonly number[], ranges: readonly StatusRange[]) {
    this.exact = exact;
    this.ranges = ranges;
  }

  match(status: number): boolean {
    for (let i = 0; i < this.exact.length; i++) if (this.exact[i] === status) return true;
    for (let i = 0; i < this.ranges.length; i++) {
      const r = this.ranges[i];
      if (r.min <= status && status <= r.max) return true;
    }
    return false;
  }
}

/** Builds a callback from integers and `{min, max}` objects, validated the way k6 does (Number.isInteger). */
export function expectedStatuses(...args: Array<number | StatusRange>): ExpectedStatuses {
  if (args.length === 0) throw new TypeError('expectedStatuses: no arguments');
  const exact: number[] = [];
  const ranges: StatusRange[] = [];
  args.forEach((arg, i) => {
    if (Number.isInteger(arg)) {
      exact.push(arg as number);
      return;
    }
    if (arg === null || typeof arg !== 'object' || !('min' in arg) || !('max' in arg)) {
      throw new TypeError(
        `argument number ${i + 1} to expectedStatuses was neither an integer nor an object like {min:100, max:329}`,
      );
    }
    if (!Number.isInteger(arg.min) || !Number.isInteger(arg.max)) {
      throw new TypeError(`both min and max need to be integers for argument number ${i + 1}`);
    }
    ranges.push({ min: arg.min, max: arg.max });
  });
  return new ExpectedStatuses(exact, ranges);
}

/** k6's default: every 2xx and 3xx is expected. */
export const DEFAULT_EXPECTED_STATUSES = new ExpectedStatuses([], [{ min: 200, max: 399 }]);
