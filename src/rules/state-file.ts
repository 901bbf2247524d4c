/**
 * Alert state on disk: one JSON file replaced atomically (write a temporary file, fsync, rename) after each
 * evaluation, so a crash leaves either the previous state or the new one, never a torn file.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { z } from 'zod';
import { TelltaleError } from '../errors.ts';
import type { ActiveAlert } from './alert-state.ts';

export interface PersistedState {
  version: 1;
  /** by `file\ngroup`, then rule name */
  groups: Record<string, Record<string, ActiveAlert[]>>;
}

const alertSchema = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  state: z.enum(['pending', 'firing', 'inactive']),
  value: z.number().nullable().transform((v) => (v === null ? NaN : v)),
  activeAt: z.number(),
  firedAt: z.number(),
  resolvedAt: z.number(),
  lastSentAt: z.number(),
  keepFiringSince: z.number(),
  validUntil: z.number(),
});

const stateSchema = z.object({
  version: z.literal(1),
  groups: z.record(z.string(), z.record(z.string(), z.array(alertSchema))),
});

export async function readAlertState(file: string): Promise<PersistedState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, groups: {} };
    throw new TelltaleError('TT_TSDB_UNAVAILABLE', `cannot read alert state: ${(err as Error).message}`, { file, cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TelltaleError('TT_TSDB_CORRUPT', `alert state is not valid JSON: ${(err as Error).message}`, { file, cause: err });
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TelltaleError('TT_TSDB_CORRUPT', `alert state is malformed at ${issue.path.join('.')}: ${issue.message}`, { file });
  }
  return parsed.data as PersistedState;
}

export async function writeAlertState(file: string, state: PersistedState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    // NaN is not JSON: it is written as null and read back as NaN
    await handle.writeFile(JSON.stringify(state));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}
