import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { formatPath, parseYamlSource, validateYaml } from '../../src/config/yaml-source.ts';
import { TelltaleError } from '../../src/errors.ts';

const schema = z.strictObject({
  listen: z.string(),
  targets: z.array(z.strictObject({ url: z.string().url(), interval: z.string().optional() })),
});

describe('YAML config sources', () => {
  it('reports every schema problem at its line and column', () => {
    const text = ['listen: 127.0.0.1:7070', 'targets:', '  - url: http://a/', '  - url: 42', '    interval: 5', 'extra: true', ''].join('\n');
    const source = parseYamlSource(text, 'telltale.yaml');
    let err: TelltaleError | undefined;
    try {
      validateYaml(source, schema);
    } catch (e) {
      err = e as TelltaleError;
    }
    expect(err).toBeInstanceOf(TelltaleError);
    expect(err!.code).toBe('TT_CONFIG_INVALID');
    expect(err!.file).toBe('telltale.yaml');
    expect(err!.line).toBe(4);
    expect(err!.column).toBe(10);
    expect(err!.field).toBe('targets[1].url');
    expect(err!.hint).toContain('telltale.yaml:5:15: targets[1].interval');
    expect(err!.hint).toContain('telltale.yaml:6:8: extra: unknown field');
  });

  it('reports syntax errors and duplicate keys with positions', () => {
    expect(() => parseYamlSource('a: 1\nb: [1, 2\n', 'f.yml')).toThrow(TelltaleError);
    try {
      parseYamlSource('a: 1\na: 2\n', 'f.yml');
      expect.unreachable();
    } catch (e) {
      const err = e as TelltaleError;
      expect(err.file).toBe('f.yml');
      expect(err.line).toBe(2);
    }
  });

  it('returns valid documents as plain values', () => {
    const source = parseYamlSource('listen: ":1"\ntargets: []\n', 'ok.yml');
    expect(validateYaml(source, schema)).toEqual({ listen: ':1', targets: [] });
    expect(formatPath(['groups', 0, 'rules', 2, 'expr'])).toBe('groups[0].rules[2].expr');
  });

  it('never throws anything but a TelltaleError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          validateYaml(parseYamlSource(text, 'x.yml'), schema);
        } catch (e) {
          expect(e).toBeInstanceOf(TelltaleError);
          expect((e as TelltaleError).file).toBe('x.yml');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expect(() => parseYamlSource(bomb, 'bomb.yml')).toThrow(TelltaleError);
  });
});
