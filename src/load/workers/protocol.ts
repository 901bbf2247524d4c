/** Messages between the coordinator (main thread) and the worker threads that run the VUs. */
import type { InstanceFlush } from '../instance.ts';

export interface SerializedError {
  code: string;
  message: string;
  exitCode?: number;
  file?: string;
  line?: number;
  column?: number;
}

export type ToWorker =
  | { type: 'start'; testStart: number; setupJson: string | undefined }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; vusInitialized: number }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'metrics'; flush: InstanceFlush }
  | { type: 'script-error'; message: string; vuId: number; scenario: string }
  | { type: 'abort'; reason: string }
  | { type: 'done'; flush: InstanceFlush }
  | { type: 'fatal'; error: SerializedError };
