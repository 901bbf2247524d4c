/** One contract for the annotation store, run on SQLite and on the real PostgreSQL. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAnnotationStore, type AnnotationStore } from '../../src/annotations/annotation-store.ts';
import { createPgSchema } from '../helpers/postgres.ts';

const engines = [
  {
    name: 'SQLite',
    async create() {
      const dir = await mkdtemp(path.join(tmpdir(), 'tt-annotations-'));
      return { spec: path.join(dir, 'a.db'), dispose: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const s = await createPgSchema('tt_annotations');
      return { spec: s.spec, dispose: s.drop };
    },
  },
];

const T = Date.parse('2026-03-01T12:00:00Z');

for (const engine of engines) {
  describe(`annotation store on ${engine.name}`, () => {
    let spec: string;
    let dispose: () => Promise<void>;
    let store: AnnotationStore;
    beforeEach(async () => {
      ({ spec, dispose } = await engine.create());
      store = await openAnnotationStore(spec);
    });
    afterEach(async () => {
      await store.close();
      await dispose();
    });

    it('stores annotations with every field, lists them newest first and keeps them across reopening', async () => {
      const a = await store.add({ time: T, service: 'shop', kind: 'deploy', version: 'v1.4.2', text: 'rolled out', tags: ['ci'], labels: { env: 'prod' } }, T + 5);
      const b = await store.add({ time: T + 60_000, timeEnd: T + 120_000, kind: 'incident', text: 'db failover', tags: [], labels: {} }, T + 6);
      expect(a).toMatchObject({ service: 'shop', kind: 'deploy', version: 'v1.4.2', createdAt: T + 5 });
      expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
      await store.close();
      store = await openAnnotationStore(spec);
      expect(await store.list()).toEqual([b, a]);
      expect((await store.list())[0].timeEnd).toBe(T + 120_000);
      expect((await store.list())[1]).not.toHaveProperty('timeEnd');
    });

    it('filters by service, kind and time range (a range annotation overlapping the window counts)', async () => {
      await store.add({ id: 'd1', time: T, service: 'shop', kind: 'deploy', version: '1', text: '', tags: [], labels: {} }, T);
      await store.add({ id: 'd2', time: T + 600_000, service: 'shop', kind: 'deploy', version: '2', text: '', tags: [], labels: {} }, T);
      await store.add({ id: 'd3', time: T + 600_000, service: 'cart', kind: 'deploy', version: '9', text: '', tags: [], labels: {} }, T);
      await store.add({ id: 'i1', time: T - 3_600_000, timeEnd: T + 60_000, service: 'shop', kind: 'incident', text: '', tags: [], labels: {} }, T);
      const ids = async (f: Parameters<AnnotationStore['list']>[0]) => (await store.list(f)).map((a) => a.id);
      expect(await ids({ service: 'shop' })).toEqual(['d2', 'd1', 'i1']);
      expect(await ids({ service: 'shop', kind: 'deploy' })).toEqual(['d2', 'd1']);
      expect(await ids({ from: T + 1, to: T + 600_000 })).toEqual(['d2', 'd3', 'i1']);
      expect(await ids({ to: T - 1 })).toEqual(['i1']);
      expect(await ids({ from: T + 600_001 })).toEqual([]);
      expect(await ids({ limit: 1 })).toEqual(['d2']);
      expect(await ids({ service: 'nothing' })).toEqual([]);
    });

    it('keeps whole milliseconds when a clock gives fractions', async () => {
      const a = await store.add({ time: T + 0.4, timeEnd: T + 10.6, kind: 'deploy', text: '', tags: [], labels: {} }, T + 0.7);
      expect(a).toMatchObject({ time: T, timeEnd: T + 11, createdAt: T + 1 });
      expect((await store.list({ from: T - 0.5, to: T + 0.5 })).map((x) => x.id)).toEqual([a.id]);
    });

    it('deletes by id and says whether there was one', async () => {
      const a = await store.add({ time: T, kind: 'deploy', text: 'x', tags: [], labels: {} }, T);
      expect(await store.delete(a.id)).toBe(true);
      expect(await store.delete(a.id)).toBe(false);
      expect(await store.list()).toEqual([]);
    });

    it('keeps text with quotes, newlines and non-ASCII intact', async () => {
      const text = `it's "fine"\n— déploiement 🚀; DROP TABLE x;`;
      await store.add({ time: T, kind: 'deploy', text, tags: ['a,b', '"q"'], labels: { team: 'ops "x"' } }, T);
      const [got] = await store.list();
      expect(got.text).toBe(text);
      expect(got.tags).toEqual(['a,b', '"q"']);
      expect(got.labels).toEqual({ team: 'ops "x"' });
    });
  });
}

describe('annotation store beside the alert store', () => {
  it('shares one SQLite file with the alert store, each with its own migrations', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tt-annotations-'));
    try {
      const { openAlertStore } = await import('../../src/alerting/alert-store.ts');
      const file = path.join(dir, 'telltale.db');
      const alerts = await openAlertStore(file);
      const notes = await openAnnotationStore(file);
      await alerts.putNotification({ groupKey: 'g', receiver: 'r', firing: ['f'], resolved: [], sentAt: 1 });
      await notes.add({ time: T, kind: 'deploy', text: '', tags: [], labels: {} }, T);
      expect(await alerts.getNotification('g', 'r')).toBeDefined();
      expect(await notes.list()).toHaveLength(1);
      await alerts.close();
      await notes.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a store it cannot open with TT_STORE_UNAVAILABLE', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tt-annotations-'));
    try {
      await writeFile(path.join(dir, 'file'), 'not a folder');
      await expect(openAnnotationStore(path.join(dir, 'file', 'a.db'))).rejects.toMatchObject({ code: 'TT_STORE_UNAVAILABLE' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
