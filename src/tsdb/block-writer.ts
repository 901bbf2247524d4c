/**
 * Writes one block: chunks, index and meta into `<id>.tmp`, each file fsynced, then renamed into place and
 * the parent directory fsynced — a crash leaves either no block or a whole one (leftover `.tmp` directories
 * are removed at startup).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Labels } from '../series/types.ts';
import { compareStrings } from '../series/labels.ts';
import { ByteWriter } from './byte-buffer.ts';
import { CHUNKS_MAGIC, INDEX_MAGIC, META_VERSION, type BlockMeta, type ChunkMeta } from './block-format.ts';
import { ENCODING_XOR, smallestEncoding } from './chunk-encoding.ts';
import { fsyncDir } from './fs-durable.ts';
import type { ChunkRef } from './iterators.ts';

export interface BlockSeries {
  labels: Labels;
  /** Canonical key (labelsKey); series are written in key order. */
  key: string;
  chunks: ChunkRef[];
}

const FLUSH_BYTES = 1 << 20;

class ChunkFileWriter {
  private readonly h: FileHandle;
  private buf = new ByteWriter(FLUSH_BYTES + 65536);
  offset = 0;

  constructor(h: FileHandle) {
    this.h = h;
  }

  async add(bytes: Uint8Array): Promise<number> {
    const at = this.offset;
    this.buf.bytes(bytes);
    this.buf.u32(crc32(bytes));
    this.offset += bytes.length + 4;
    if (this.buf.len >= FLUSH_BYTES) await this.flush();
    return at;
  }

  async flush(): Promise<void> {
    if (this.buf.len === 0) return;
    const out = this.buf.view_();
    await this.h.write(out, 0, out.length);
    this.buf.len = 0;
  }
}

function newBlockId(rangeStart: number): string {
  const t = Math.max(0, rangeStart).toString(36).padStart(10, '0');
  return `b-${t}-${randomBytes(5).toString('hex')}`;
}

/** Writes the series (sorted by key, each with chunks in time order) as a block under `parent`. */
export async function writeBlock(parent: string, rangeStart: number, series: readonly BlockSeries[], replaces: string[] = []): Promise<BlockMeta> {
  const id = newBlockId(rangeStart);
  const tmp = join(parent, `${id}.tmp`);
  await mkdir(tmp, { recursive: true });
  try {
    const h = await open(join(tmp, 'chunks'), 'w');
    const metas: ChunkMeta[][] = [];
    let minTime = Infinity;
    let maxTime = -Infinity;
    let numChunks = 0;
    let numSamples = 0;
    try {
      const cw = new ChunkFileWriter(h);
      const magic = new ByteWriter(4);
      magic.u32(CHUNKS_MAGIC);
      await h.write(magic.view_(), 0, 4);
      cw.offset = 4;
      for (const s of series) {
        const list: ChunkMeta[] = [];
        for (const c of s.chunks) {
          const { bytes, encoding } = c.encoding === undefined || c.encoding === ENCODING_XOR ? smallestEncoding(c.bytes, c.count) : { bytes: c.bytes, encoding: c.encoding };
          const offset = await cw.add(bytes);
          list.push({ encoding, mint: c.mint, maxt: c.maxt, count: c.count, offset, length: bytes.length });
          if (c.mint < minTime) minTime = c.mint;
          if (c.maxt > maxTime) maxTime = c.maxt;
          numChunks++;
          numSamples += c.count;
        }
        metas.push(list);
      }
      await cw.flush();
      await h.sync();
    } finally {
      await h.close();
    }
    const index = encodeIndex(series, metas);
    const ih = await open(join(tmp, 'index'), 'w');
    try {
      await ih.write(index, 0, index.length);
      await ih.sync();
    } finally {
      await ih.close();
    }
    const meta: BlockMeta = {
      version: META_VERSION,
      id,
      minTime,
      maxTime,
      rangeStart,
      stats: { numSeries: series.length, numChunks, numSamples },
      replaces,
    };
    const mh = await open(join(tmp, 'meta.json'), 'w');
    try {
      await writeFile(mh, JSON.stringify(meta, null, 2));
      await mh.sync();
    } finally {
      await mh.close();
    }
    await fsyncDir(tmp);
    await rename(tmp, join(parent, id));
    await fsyncDir(parent);
    return meta;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

function section(out: ByteWriter, body: ByteWriter): void {
  const payload = body.view_();
  out.u32(payload.length);
  out.bytes(payload);
  out.u32(crc32(payload));
}

function encodeIndex(series: readonly BlockSeries[], metas: ChunkMeta[][]): Uint8Array {
  const symbolSet = new Set<string>();
  for (const s of series) {
    for (const name in s.labels) {
      symbolSet.add(name);
      symbolSet.add(s.labels[name]);
    }
  }
  const symbols = [...symbolSet].sort(compareStrings);
  const symbolId = new Map<string, number>();
  symbols.forEach((s, i) => symbolId.set(s, i));

  const out = new ByteWriter(1 << 16);
  out.u32(INDEX_MAGIC);
  const sym = new ByteWriter(1 << 12);
  sym.uvarint(symbols.length);
  for (const s of symbols) sym.str(s);
  section(out, sym);

  const ser = new ByteWriter(1 << 16);
  const postings = new Map<number, Map<number, number[]>>();
  ser.uvarint(series.length);
  series.forEach((s, ordinal) => {
    const names = Object.keys(s.labels).sort(compareStrings);
    ser.uvarint(names.length);
    for (const n of names) {
      const ni = symbolId.get(n)!;
      const vi = symbolId.get(s.labels[n])!;
      ser.uvarint(ni);
      ser.uvarint(vi);
      let byValue = postings.get(ni);
      if (!byValue) postings.set(ni, (byValue = new Map()));
      const list = byValue.get(vi);
      if (list) list.push(ordinal);
      else byValue.set(vi, [ordinal]);
    }
    const chunks = metas[ordinal];
    ser.uvarint(chunks.length);
    let prevMaxt = 0;
    let prevEnd = 0;
    chunks.forEach((c, i) => {
      ser.uvarint(c.encoding);
      if (i === 0) ser.i64(c.mint);
      else ser.varint(c.mint - prevMaxt);
      ser.uvarint(c.maxt - c.mint);
      ser.uvarint(c.count);
      ser.varint(c.offset - prevEnd);
      ser.uvarint(c.length);
      prevMaxt = c.maxt;
      prevEnd = c.offset + c.length + 4;
    });
  });
  section(out, ser);

  const post = new ByteWriter(1 << 16);
  post.uvarint(postings.size);
  for (const [ni, byValue] of postings) {
    post.uvarint(ni);
    post.uvarint(byValue.size);
    for (const [vi, list] of byValue) {
      post.uvarint(vi);
      post.uvarint(list.length);
      let prev = 0;
      for (const o of list) {
        post.uvarint(o - prev);
        prev = o;
      }
    }
  }
  section(out, post);
  return out.finish();
}
