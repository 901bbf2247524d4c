/**
 * Relabelling with Prometheus' semantics (`relabel_configs`, `metric_relabel_configs`): the source labels'
 * values are joined with `separator`, matched against `regex` (fully anchored), and the action applies.
 * `replacement` and `target_label` expand `$1`, `${1}`, `$name`, `${name}` as Go's regexp.Expand does
 * (`$1x` names a group "1x", which expands to nothing; `$$` is a literal `$`).
 */
import { createHash } from 'node:crypto';
import { compileRegex } from '../series/matchers.ts';
import { isValidLabelName } from '../series/labels.ts';

export const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

export interface RelabelRule {
  action: RelabelAction;
  sourceLabels: readonly string[];
  separator: string;
  regex: RegExp;
  /** The regex as written, for messages. */
  regexSource: string;
  targetLabel: string;
  replacement: string;
  modulus: number;
}

export const DEFAULT_REGEX = '(.*)';

export function relabelRule(partial: Partial<Omit<RelabelRule, 'regex' | 'regexSource'>> & { regex?: string }): RelabelRule {
  const source = partial.regex ?? DEFAULT_REGEX;
  return {
    action: partial.action ?? 'replace',
    sourceLabels: partial.sourceLabels ?? [],
    separator: partial.separator ?? ';',
    regex: compileRegex(source),
    regexSource: source,
    targetLabel: partial.targetLabel ?? '',
    replacement: partial.replacement ?? '$1',
    modulus: partial.modulus ?? 0,
  };
}

/** Go's regexp.Expand over a JavaScript match. */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  if (!template.includes('$')) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$' || i === template.length - 1) {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (close < 0 || !/^[a-zA-Z0-9_]+$/.test(inner)) {
        out += c; // not a valid reference: Go keeps the `$` literally
        continue;
      }
      name = inner;
      end = close;
    } else {
      const m = /^[a-zA-Z0-9_]+/.exec(template.slice(i + 1));
      if (!m) {
        out += c;
        continue;
      }
      name = m[0];
      end = i + m[0].length;
    }
    if (/^\d+$/.test(name)) out += match[Number(name)] ?? '';
    else out += match.groups?.[name] ?? '';
    i = end;
  }
  return out;
}

function hashmod(value: string, modulus: number): number {
  // Prometheus: the low 64 bits of the MD5 sum, big-endian, modulo `modulus`
  const sum = createHash('md5').update(value).digest();
  return Number(sum.readBigUInt64BE(8) % BigInt(modulus));
}

/**
 * Applies the rules in order. Returns the new label set, or undefined when a keep/drop rule discarded it.
 * The input is not modified.
 */
export function relabel(labels: Readonly<Record<string, string>>, rules: readonly RelabelRule[]): Record<string, string> | undefined {
  const out: Record<string, string> = { ...labels };
  for (const rule of rules) {
    const value = rule.sourceLabels.map((n) => out[n] ?? '').join(rule.separator);
    switch (rule.action) {
      case 'keep':
        if (!rule.regex.test(value)) return undefined;
        break;
      case 'drop':
        if (rule.regex.test(value)) return undefined;
        break;
      case 'replace': {
        const m = rule.regex.exec(value);
        if (!m) break;
        const target = expandTemplate(rule.targetLabel, m);
        if (!isValidLabelName(target) && target !== '__name__') break;
        const res = expandTemplate(rule.replacement, m);
        if (res === '') delete out[target];
        else out[target] = res;
        break;
      }
      case 'lowercase':
        out[rule.targetLabel] = value.toLowerCase();
        break;
      case 'uppercase':
        out[rule.targetLabel] = value.toUpperCase();
        break;
      case 'hashmod':
        out[rule.targetLabel] = String(hashmod(value, rule.modulus));
        break;
      case 'labelmap':
        for (const name of Object.keys(out)) {
          const m = rule.regex.exec(name);
          if (m) out[expandTemplate(rule.replacement, m)] = out[name];
        }
        break;
      case 'labeldrop':
        for (const name of Object.keys(out)) if (rule.regex.test(name)) delete out[name];
        break;
      case 'labelkeep':
        for (const name of Object.keys(out)) if (!rule.regex.test(name)) delete out[name];
        break;
    }
  }
  for (const name of Object.keys(out)) if (out[name] === '') delete out[name];
  return out;
}
