/**
 * Checks and groups: passes and fails per (group path, check name), and the k6-shaped group tree built
 * from them for the summary. Order is order of first appearance, decided by the time of each group's and
 * check's first sample, so it does not depend on the order in which worker deltas are merged.
 */
import { createHash } from 'node:crypto';
import type { SummaryCheck, SummaryGroup } from '../load/summary/types.ts';
import type { CheckDelta, GroupDelta } from './delta.ts';

const SEPARATOR = '::';

interface CheckCount {
  passes: number;
  fails: number;
  first: number;
}

interface GroupEntry {
  first: number;
  readonly checks: Map<string, CheckCount>;
}

class CheckTable {
  readonly groups = new Map<string, GroupEntry>();

  group(path: string, time: number): GroupEntry {
    let g = this.groups.get(path);
    if (g === undefined) {
      g = { first: time, checks: new Map() };
      this.groups.set(path, g);
    } else if (time < g.first) {
      g.first = time;
    }
    return g;
  }

  count(path: string, name: string, time: number): CheckCount {
    const checks = this.group(path, time).checks;
    let c = checks.get(name);
    if (c === undefined) {
      c = { passes: 0, fails: 0, first: time };
      checks.set(name, c);
    } else if (time < c.first) {
      c.first = time;
    }
    return c;
  }
}

/** A worker's checks since its last flush. */
export class ChecksAccumulator {
  private table = new CheckTable();

  check(group: string, name: string, passed: boolean, time: number): void {
    const c = this.table.count(group, name, time);
    if (passed) c.passes++;
    else c.fails++;
  }

  touchGroup(group: string, time: number): void {
    this.table.group(group, time);
  }

  drain(): { groups: GroupDelta[]; checks: CheckDelta[] } {
    const groups: GroupDelta[] = [];
    const checks: CheckDelta[] = [];
    for (const [path, g] of this.table.groups) {
      groups.push({ path, first: g.first });
      for (const [name, c] of g.checks) {
        checks.push({ group: path, name, passes: c.passes, fails: c.fails, first: c.first });
      }
    }
    if (groups.length > 0) this.table = new CheckTable();
    return { groups, checks };
  }
}

/** k6's id of a group or check: the md5 hex of its path. */
export function pathId(path: string): string {
  return createHash('md5').update(path).digest('hex');
}

function groupName(path: string): string {
  const at = path.lastIndexOf(SEPARATOR);
  return at === -1 ? path : path.slice(at + SEPARATOR.length);
}

function parentPath(path: string): string {
  const at = path.lastIndexOf(SEPARATOR);
  return at <= 0 ? '' : path.slice(0, at);
}

function byFirst<T extends { first: number }>(entries: Iterable<[string, T]>): [string, T][] {
  return [...entries].sort((a, b) => a[1].first - b[1].first || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** All checks of the run, merged from every worker. */
export class ChecksTree {
  private readonly table = new CheckTable();

  constructor() {
    this.table.group('', -Infinity);
  }

  merge(groups: readonly GroupDelta[], checks: readonly CheckDelta[]): void {
    for (const g of groups) this.table.group(g.path, g.first);
    for (const c of checks) {
      const count = this.table.count(c.group, c.name, c.first);
      count.passes += c.passes;
      count.fails += c.fails;
    }
  }

  /**
   * The root group with nested groups and checks, in order of first appearance. Groups only seen nested
   * (`::a::b` without `::a`) get their ancestors created.
   */
  root(): SummaryGroup {
    const nodes = new Map<string, SummaryGroup>();
    const node = (path: string): SummaryGroup => {
      let n = nodes.get(path);
      if (n !== undefined) return n;
      n = { name: path === '' ? '' : groupName(path), path, id: pathId(path), groups: [], checks: [] };
      nodes.set(path, n);
      if (path !== '') node(parentPath(path)).groups.push(n);
      return n;
    };
    node('');
    for (const [path, g] of byFirst(this.table.groups)) {
      const group = node(path);
      for (const [name, c] of byFirst(g.checks)) {
        const checkPath = `${path}${SEPARATOR}${name}`;
        const check: SummaryCheck = { name, path: checkPath, id: pathId(checkPath), passes: c.passes, fails: c.fails };
        group.checks.push(check);
      }
    }
    return nodes.get('') as SummaryGroup;
  }
}
