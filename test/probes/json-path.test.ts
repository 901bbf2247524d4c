import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, JsonPathError, parseJsonPath } from '../../src/probes/json-path.ts';

const doc = {
  data: { items: [{ id: 'a1', tags: ['x'] }, { id: 'b2' }, { name: 'no id' }], total: 3 },
  'odd key': { 'a.b': 1, "it's": 2 },
  nothing: null,
};

const get = (path: string, value: unknown = doc) => evaluateJsonPath(parseJsonPath(path), value);

describe('JSON path subset', () => {
  it('selects members, indexes and quoted names', () => {
    expect(get('$')).toEqual({ found: true, value: doc });
    expect(get('$.data.items[0].id')).toEqual({ found: true, value: 'a1' });
    expect(get('$.data.items[-1].name')).toEqual({ found: true, value: 'no id' });
    expect(get("$['odd key']['a.b']")).toEqual({ found: true, value: 1 });
    expect(get('$["odd key"]["it\'s"]')).toEqual({ found: true, value: 2 });
    expect(get("$['odd key']['it\\'s']")).toEqual({ found: true, value: 2 });
    expect(get('$.data.total')).toEqual({ found: true, value: 3 });
    expect(get('$.nothing')).toEqual({ found: true, value: null });
  });

  it('reports a path that leads nowhere as not found', () => {
    expect(get('$.data.items[5].id').found).toBe(false);
    expect(get('$.data.items.id').found).toBe(false);
    expect(get('$.data.total.x').found).toBe(false);
    expect(get('$.nothing.x').found).toBe(false);
    expect(get('$[0]', { 0: 'object key, not an index' }).found).toBe(false);
  });

  it('never reaches the prototype chain', () => {
    expect(get('$.constructor', {}).found).toBe(false);
    expect(get("$['__proto__']", {}).found).toBe(false);
    expect(get('$.length', [1, 2]).found).toBe(false);
  });

  it('wildcards select the list of every match', () => {
    expect(get('$.data.items[*].id')).toEqual({ found: true, value: ['a1', 'b2'] });
    expect(get('$.data.*')).toEqual({ found: true, value: [doc.data.items, 3] });
    expect(get('$.missing[*]')).toEqual({ found: true, value: [] });
    expect(parseJsonPath('$.a[*]').multiple).toBe(true);
    expect(parseJsonPath('$.a[0]').multiple).toBe(false);
  });

  it('refuses what it does not support, with the position', () => {
    const cases: [string, RegExp, number][] = [
      ['data.items', /starts with "\$"/, 0],
      ['$..id', /recursive descent/, 1],
      ['$.items[?(@.id)]', /filters and slices are not supported/, 8],
      ['$.items[0:2]', /expected "]" at position 9/, 9],
      ['$.items[', /expected an index/, 8],
      ["$['unterminated", /unterminated quoted name/, 2],
      ['$.', /expected a member name/, 2],
      ['$.9lives', /expected a member name/, 2],
      ['$ .a', /unexpected " "/, 1],
      ['$.a.', /expected a member name/, 4],
    ];
    for (const [path, message, position] of cases) {
      let err: unknown;
      try {
        parseJsonPath(path);
      } catch (e) {
        err = e;
      }
      expect(err, path).toBeInstanceOf(JsonPathError);
      expect((err as JsonPathError).message, path).toMatch(message);
      expect((err as JsonPathError).position, path).toBe(position);
    }
    expect(() => parseJsonPath(`$${'.a'.repeat(600)}`)).toThrow(/at most 1024/);
  });

  it('never crashes on arbitrary input: parses or throws JsonPathError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('$', '.', '[', ']', '*', "'", '"', '\\', '-', '0', '9', 'a', ' ') })), (s) => {
        try {
          const p = parseJsonPath(s);
          evaluateJsonPath(p, doc);
        } catch (err) {
          if (!(err instanceof JsonPathError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('finds what a generated path points at', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 });
    const step = fc.oneof(
      key.map((k) => ({ kind: 'key' as const, k })),
      fc.nat({ max: 4 }).map((i) => ({ kind: 'index' as const, i })),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 6 }), fc.jsonValue(), (steps, leaf) => {
        // Build a document that has `leaf` at the path, and the path in bracket syntax.
        let value: unknown = leaf;
        let path = '';
        for (const s of [...steps].reverse()) {
          if (s.kind === 'key') value = { [s.k]: value };
          else value = [...Array.from({ length: s.i }, () => 0), value];
        }
        for (const s of steps) path += s.kind === 'key' ? `['${s.k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']` : `[${s.i}]`;
        const found = evaluateJsonPath(parseJsonPath(`$${path}`), value);
        expect(found.found).toBe(true);
        expect(found.value).toEqual(leaf);
      }),
      { numRuns: 500 },
    );
  });
});
