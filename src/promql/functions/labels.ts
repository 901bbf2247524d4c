/** label_replace / label_join / sort_by_label helpers with Prometheus' (Go regexp) semantics. */
import { METRIC_NAME, type Labels } from '../../series/types.ts';
import { compareStrings } from '../../series/labels.ts';

/**
 * Go's regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. A `$` reference takes the longest run of
 * letters, digits and `_`, so `$1x` names group "1x" (empty), as in Go.
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest[0] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let len = 0;
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    if (braced) {
      name = braced[1];
      len = braced[0].length;
    } else {
      const bare = /^[A-Za-z0-9_]+/.exec(rest);
      if (bare) {
        name = bare[0];
        len = bare[0].length;
      }
    }
    if (name === undefined) {
      // A malformed reference is copied literally, as Go does.
      out += '$';
      continue;
    }
    i += len;
    if (/^\d+$/.test(name)) {
      const idx = Number(name);
      out += idx < match.length ? (match[idx] ?? '') : '';
    } else {
      out += match.groups?.[name] ?? '';
    }
  }
  return out;
}

export function withLabel(labels: Labels, name: string, value: string): Labels {
  const out: Record<string, string> = { ...labels };
  if (value === '') delete out[name];
  else out[name] = value;
  return out;
}

export function withoutName(labels: Labels): Labels {
  if (!(METRIC_NAME in labels)) return labels;
  const out: Record<string, string> = { ...labels };
  delete out[METRIC_NAME];
  return out;
}

/** Orders by the given labels' values, then by the whole label set. */
export function compareByLabels(a: Labels, b: Labels, names: readonly string[]): number {
  for (const n of names) {
    const c = compareStrings(a[n] ?? '', b[n] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}
