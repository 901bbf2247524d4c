import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTelltaleError, TelltaleError } from '../../src/errors.ts';
import { loadChecksFile, parseChecksText } from '../../src/probes/load-checks.ts';

function errorOf(fn: () => unknown): TelltaleError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TelltaleError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

const yaml = `checks:
  - name: ok
    type: tcp
    host: 127.0.0.1
    port: 5432
  - name: api
    type: http
    request:
      url: http://127.0.0.1/
    assertions:
      - source: statusCode
        comparison: equals
        target: two hundred
  - name: dns
    type: dns
`;

describe('checks from YAML', () => {
  it('names the line and field path of every problem', () => {
    const e = errorOf(() => parseChecksText(yaml, { file: 'checks.yaml' }));
    expect(e.code).toBe('TT_CHECK_INVALID');
    expect(e.line).toBe(13);
    expect(e.field).toBe('checks[1].assertions[0].target');
    expect(e.message).toBe([
      '2 problems in check definitions:',
      '  line 13: checks[1].assertions[0].target: statusCode is a number, got "two hundred"',
      '  line 14: checks[2].query: missing (expected a domain name)',
    ].join('\n'));
    expect(e.format()).toMatch(/^checks\.yaml:13: 2 problems/);
  });

  it('reads a bare list too, and reports YAML syntax errors with their position', () => {
    expect(parseChecksText('- { name: a, type: tcp, host: x, port: 1 }')).toHaveLength(1);
    const bare = errorOf(() => parseChecksText('- name: a\n  type: tcp\n  host: x\n  port: 0\n'));
    expect(bare.message).toContain('line 4: checks[0].port: expected an integer in 1..65535, got 0');
    const syntax = errorOf(() => parseChecksText('checks:\n  - name: a\n   type: [\n'));
    expect(syntax.message).toMatch(/^not valid YAML: /);
    expect(syntax.line).toBeGreaterThanOrEqual(2);
    const dup = errorOf(() => parseChecksText('checks:\n  - name: a\n    name: b\n'));
    expect(dup.message).toMatch(/not valid YAML: Map keys must be unique/);
    expect(errorOf(() => parseChecksText('monitors: []')).message).toMatch(/a `checks` list/);
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`), 'checks: [*h]'].join('\n');
    expect(errorOf(() => parseChecksText(bomb)).message).toMatch(/alias|not a usable document/i);
  });

  it('loads a file and resolves script paths next to it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'telltale-checks-'));
    try {
      const file = path.join(dir, 'checks.yaml');
      await writeFile(file, 'checks:\n  - { name: flow, type: multistep, script: flows/a.ts }\n');
      const [c] = await loadChecksFile(file);
      expect(c).toMatchObject({ type: 'multistep', script: path.join(dir, 'flows/a.ts') });
      await expect(loadChecksFile(path.join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'TT_CHECK_INVALID', file: path.join(dir, 'missing.yaml') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never crashes on hostile text', () => {
    const pieces = fc.constantFrom('checks:', '\n', '  - ', 'name: a', 'type: http', 'type: dns', ': ', '[', ']', '{', '}', '&x ', '*x', '"', "'", '#', 'port: 99999', 'interval: 1s', '\t', '---', 'request: {url: "http://x"}');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 20 }).map((p) => p.join(''))), (text) => {
        try {
          parseChecksText(text);
        } catch (err) {
          if (!isTelltaleError(err) || err.code !== 'TT_CHECK_INVALID') throw err;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
