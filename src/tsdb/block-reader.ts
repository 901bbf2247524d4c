/**
 * Reads a block: the index is loaded whole (symbols, series with their chunk metas, postings) and checked
 * against its CRCs; chunk bytes are read on demand, the ranges a selection needs coalesced into few reads,
 * each chunk checked against its CRC. Any damage is TT_TSDB_CORRUPT naming the file.
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { labelsKey } from '../series/labels.ts';
import type { CompiledMatcher } from '../series/matchers.ts';
import type { Labels } from '../series/types.ts';
import { ByteReader } from './byte-buffer.ts';
import { CHUNKS_MAGIC, INDEX_MAGIC, type BlockMeta, type ChunkMeta } from './block-format.ts';
import { isEncoding } from './chunk-encoding.ts';
import { corrupt } from './fs-durable.ts';
import type { ChunkRef } from './iterators.ts';
import { selectPostings, type Postings, type PostingsIndex } from './postings.ts';

export interface BlockSeriesEntry {
  labels: Labels;
  key: string;
  chunks: ChunkMeta[];
}

/** Reads closer than this are merged into one. */
const COALESCE_GAP = 64 * 1024;

export class BlockReader implements PostingsIndex {
  readonly dir: string;
  readonly meta: BlockMeta;
  readonly series: BlockSeriesEntry[];
  readonly bytes: number;
  private readonly postingsMap: Map<string, Map<string, Int32Array>>;
  private readonly all: Int32Array;
  private readonly chunks: FileHandle;
  private readonly chunksFile: string;
  private refs = 0;
  private closing = false;

  private constructor(dir: string, meta: BlockMeta, series: BlockSeriesEntry[], postings: Map<string, Map<string, Int32Array>>, chunks: FileHandle, bytes: number) {
    this.dir = dir;
    this.meta = meta;
    this.series = series;
    this.postingsMap = postings;
    this.chunks = chunks;
    this.chunksFile = join(dir, 'chunks');
    this.bytes = bytes;
    this.all = Int32Array.from(series.keys());
  }

  static async open(dir: string): Promise<BlockReader> {
    const metaFile = join(dir, 'meta.json');
    let meta: BlockMeta;
    try {
      meta = JSON.parse(await readFile(metaFile, 'utf8')) as BlockMeta;
    } catch (err) {
      throw corrupt(`block meta ${metaFile} cannot be read`, metaFile, err);
    }
    if (typeof meta.minTime !== 'number' || typeof meta.maxTime !== 'number' || meta.version !== 1) {
      throw corrupt(`block meta ${metaFile} is not a version 1 block`, metaFile);
    }
    const indexFile = join(dir, 'index');
    const buf = await readFile(indexFile).catch((err: unknown) => {
      throw corrupt(`block index ${indexFile} cannot be read`, indexFile, err);
    });
    let series: BlockSeriesEntry[];
    let postings: Map<string, Map<string, Int32Array>>;
    try {
      ({ series, postings } = decodeIndex(buf, indexFile));
    } catch (err) {
      if (err instanceof RangeError) throw corrupt(`block index ${indexFile} is damaged`, indexFile, err);
      throw err;
    }
    const chunksFile = join(dir, 'chunks');
    const h = await open(chunksFile, 'r').catch((err: unknown) => {
      throw corrupt(`block chunks ${chunksFile} cannot be opened`, chunksFile, err);
    });
    const head = new Uint8Array(4);
    await h.read(head, 0, 4, 0);
    if (new DataView(head.buffer).getUint32(0) !== CHUNKS_MAGIC) {
      await h.close();
      throw corrupt(`block chunks ${chunksFile} has no TTC1 header`, chunksFile);
    }
    const size = (await stat(chunksFile)).size + buf.length + (await stat(metaFile)).size;
    return new BlockReader(dir, meta, series, postings, h, size);
  }

  overlaps(mint: number, maxt: number): boolean {
    return this.meta.maxTime >= mint && this.meta.minTime <= maxt;
  }

  labelValues(name: string): Iterable<string> {
    return this.postingsMap.get(name)?.keys() ?? [];
  }

  labelNames(): Iterable<string> {
    return this.postingsMap.keys();
  }

  postings(name: string, value: string): Postings | undefined {
    return this.postingsMap.get(name)?.get(value);
  }

  allPostings(): Postings {
    return this.all;
  }

  select(matchers: readonly CompiledMatcher[]): Postings {
    return selectPostings(this, matchers);
  }

  /** Keeps the chunk file open while a read is in flight, even if retention drops the block meanwhile. */
  acquire(): void {
    this.refs++;
  }

  async release(): Promise<void> {
    this.refs--;
    if (this.closing && this.refs === 0) await this.chunks.close();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.refs === 0) await this.chunks.close();
  }

  /** Loads the chunks (of the given series ordinals) overlapping [mint, maxt]: one list per series. */
  async readChunks(ordinals: ArrayLike<number>, mint: number, maxt: number): Promise<ChunkRef[][]> {
    const wanted: Array<{ meta: ChunkMeta; series: number }> = [];
    for (let i = 0; i < ordinals.length; i++) {
      for (const c of this.series[ordinals[i]].chunks) if (c.maxt >= mint && c.mint <= maxt) wanted.push({ meta: c, series: i });
    }
    const out: ChunkRef[][] = Array.from({ length: ordinals.length }, () => []);
    wanted.sort((a, b) => a.meta.offset - b.meta.offset);
    let i = 0;
    while (i < wanted.length) {
      let j = i + 1;
      let end = wanted[i].meta.offset + wanted[i].meta.length + 4;
      while (j < wanted.length && wanted[j].meta.offset - end < COALESCE_GAP) {
        end = Math.max(end, wanted[j].meta.offset + wanted[j].meta.length + 4);
        j++;
      }
      const start = wanted[i].meta.offset;
      const buf = new Uint8Array(end - start);
      const { bytesRead } = await this.chunks.read(buf, 0, buf.length, start);
      for (let k = i; k < j; k++) {
        const m = wanted[k].meta;
        const from = m.offset - start;
        if (from + m.length + 4 > bytesRead) throw corrupt(`block chunks ${this.chunksFile} ends before chunk at ${m.offset}`, this.chunksFile);
        const bytes = buf.subarray(from, from + m.length);
        const want = new DataView(buf.buffer, from + m.length, 4).getUint32(0);
        if (crc32(bytes) !== want) throw corrupt(`block chunk at byte ${m.offset} of ${this.chunksFile} fails its CRC`, this.chunksFile);
        out[wanted[k].series].push({ mint: m.mint, maxt: m.maxt, count: m.count, bytes, encoding: m.encoding });
      }
      i = j;
    }
    for (const list of out) if (list.length > 1) list.sort((a, b) => a.mint - b.mint);
    return out;
  }
}

function readSection(r: ByteReader, file: string, name: string): ByteReader {
  const len = r.u32();
  const start = r.pos;
  const body = r.bytes(len);
  const want = r.u32();
  if (crc32(body) !== want) throw corrupt(`block index ${file}: the ${name} section fails its CRC`, file);
  return new ByteReader(r.buf, start, start + len);
}

function decodeIndex(buf: Uint8Array, file: string): { series: BlockSeriesEntry[]; postings: Map<string, Map<string, Int32Array>> } {
  const r = new ByteReader(buf);
  if (r.u32() !== INDEX_MAGIC) throw corrupt(`block index ${file} has no TTI1 header`, file);
  const sym = readSection(r, file, 'symbols');
  const symbols: string[] = new Array(sym.uvarint());
  for (let i = 0; i < symbols.length; i++) symbols[i] = sym.str();
  const symbol = (i: number): string => {
    if (i >= symbols.length) throw new RangeError(`symbol ${i} out of range`);
    return symbols[i];
  };

  const ser = readSection(r, file, 'series');
  const n = ser.uvarint();
  const series: BlockSeriesEntry[] = [];
  for (let s = 0; s < n; s++) {
    const labels: Record<string, string> = {};
    const nl = ser.uvarint();
    for (let k = 0; k < nl; k++) labels[symbol(ser.uvarint())] = symbol(ser.uvarint());
    const nc = ser.uvarint();
    const chunks: ChunkMeta[] = [];
    let prevMaxt = 0;
    let prevEnd = 0;
    for (let k = 0; k < nc; k++) {
      const encoding = ser.uvarint();
      if (!isEncoding(encoding)) throw new RangeError(`unknown chunk encoding ${encoding}`);
      const mint = k === 0 ? ser.i64() : prevMaxt + ser.varint();
      const maxt = mint + ser.uvarint();
      const count = ser.uvarint();
      const offset = prevEnd + ser.varint();
      const length = ser.uvarint();
      chunks.push({ encoding, mint, maxt, count, offset, length });
      prevMaxt = maxt;
      prevEnd = offset + length + 4;
    }
    series.push({ labels, key: labelsKey(labels), chunks });
  }

  const post = readSection(r, file, 'postings');
  const postings = new Map<string, Map<string, Int32Array>>();
  const names = post.uvarint();
  for (let i = 0; i < names; i++) {
    const name = symbol(post.uvarint());
    const byValue = new Map<string, Int32Array>();
    const values = post.uvarint();
    for (let k = 0; k < values; k++) {
      const value = symbol(post.uvarint());
      const count = post.uvarint();
      if (count > post.remaining()) throw new RangeError('postings list longer than its section');
      const list = new Int32Array(count);
      let prev = 0;
      for (let x = 0; x < count; x++) {
        prev += post.uvarint();
        if (prev >= n) throw new RangeError(`posting ${prev} beyond ${n} series`);
        list[x] = prev;
      }
      byValue.set(value, list);
    }
    postings.set(name, byValue);
  }
  return { series, postings };
}
