/** Worker thread entry: runs one Instance and reports to the coordinator. */
import { parentPort, workerData } from 'node:worker_threads';
import { Instance, type InstanceInit } from '../instance.ts';
import type { FromWorker, SerializedError, ToWorker } from './protocol.ts';
import { describeScriptError } from '../script/errors.ts';
import { TelltaleError } from '../../errors.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

const FLUSH_INTERVAL_MS = 1000;

function post(msg: FromWorker): void {
  port!.postMessage(msg);
}

function serialize(err: unknown): SerializedError {
  if (err instanceof TelltaleError) {
    return { code: err.code, message: err.message, exitCode: err.exitCode, file: err.file, line: err.line, column: err.column };
  }
  return { code: 'TT_INTERNAL', message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

const init = workerData as InstanceInit;
const instance = new Instance(init, {
  onScriptError: (err, vuId, scenario) => post({ type: 'script-error', message: describeScriptError(err), vuId, scenario }),
  onTestAbort: (reason) => {
    // Stop this worker at once; the coordinator then stops the others.
    instance.stop();
    post({ type: 'abort', reason });
  },
});

let started = false;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') {
    instance.stop();
    return;
  }
  if (msg.type === 'start' && !started) {
    started = true;
    void runTest(msg.testStart, msg.setupJson);
  }
});

async function runTest(testStart: number, setupJson: string | undefined): Promise<void> {
  const timer = setInterval(() => post({ type: 'metrics', flush: instance.flush() }), FLUSH_INTERVAL_MS);
  try {
    await instance.run(testStart, setupJson);
    clearInterval(timer);
    post({ type: 'done', flush: instance.flush() });
  } catch (err) {
    clearInterval(timer);
    post({ type: 'fatal', error: serialize(err) });
  } finally {
    await instance.close();
    port!.close();
  }
}

try {
  const { vusInitialized } = await instance.initialize();
  post({ type: 'ready', vusInitialized });
} catch (err) {
  post({ type: 'init-error', error: serialize(err) });
  port.close();
}
