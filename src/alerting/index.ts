/**
 * The alerting dispatcher's public surface: load an alertmanager.yml, open the alert store, and run a
 * dispatcher with its API. `openAlerting` wires the three for a server (`telltale serve`); the rule evaluator
 * hands its alerts to `api.receive`.
 */
import { readFile } from 'node:fs/promises';
import { TelltaleError } from '../errors.ts';
import { openAlertStore, type AlertStore } from './alert-store.ts';
import { AlertingApi } from './api.ts';
import { loadAlertingConfig, type AlertingConfig } from './config.ts';
import { Dispatcher, type DispatchEvent } from './dispatcher.ts';
import type { Clock } from './silences.ts';

export type { Alert, Labels, PostableAlert } from './alert.ts';
export type { AckRecord, AlertStore, NotificationLogEntry } from './alert-store.ts';
export type { AlertContext, ContextSource, ContextSourceOptions } from './alert-context.ts';
export type { AlertFilter, AlertGroupView, GettableAlert, GettableSilence } from './api.ts';
export type { AlertingConfig, EscalationPolicy, InhibitRule, LoadOptions, Route } from './config.ts';
export type { DispatchEvent, DispatcherOptions } from './dispatcher.ts';
export type { Silence, SilenceInput, SilenceMatcher, SilenceState } from './silence-model.ts';
export { openAlertStore } from './alert-store.ts';
export { alertContextSource } from './alert-context.ts';
export { AlertingApi } from './api.ts';
export { loadAlertingConfig } from './config.ts';
export { Dispatcher } from './dispatcher.ts';
export { fingerprint } from './fingerprint.ts';
export { parseMatchers } from './matchers.ts';

export interface OpenAlertingOptions {
  /** path of alertmanager.yml */
  configFile: string;
  /** alert store spec: a SQLite path, `:memory:` or a postgres:// URL */
  store: string;
  /** Alertmanager's --web.external-url */
  externalURL?: string;
  clock?: Clock;
  onEvent?: (event: DispatchEvent) => void;
}

export interface Alerting {
  config: AlertingConfig;
  store: AlertStore;
  dispatcher: Dispatcher;
  api: AlertingApi;
  /** re-reads the config file and switches to it; a bad file leaves the running config in place and throws */
  reload(): Promise<void>;
  /** stops the timers and closes the store */
  close(): Promise<void>;
}

async function readConfig(file: string, externalURL: string | undefined): Promise<AlertingConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TelltaleError('TT_ALERTING_CONFIG', `cannot read ${file}: ${(err as Error).message}`, { file, cause: err });
  }
  return loadAlertingConfig(text, { file, ...(externalURL !== undefined ? { externalURL } : {}) });
}

/** Loads the config, opens the store and starts a dispatcher on real timers. */
export async function openAlerting(options: OpenAlertingOptions): Promise<Alerting> {
  const config = await readConfig(options.configFile, options.externalURL);
  const store = await openAlertStore(options.store);
  let dispatcher: Dispatcher;
  try {
    dispatcher = await Dispatcher.create({
      config, store, clock: options.clock ?? { now: () => Date.now() }, ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  dispatcher.start();
  const api = new AlertingApi(dispatcher);
  const alerting: Alerting = {
    config,
    store,
    dispatcher,
    api,
    async reload() {
      const next = await readConfig(options.configFile, options.externalURL);
      await dispatcher.reload(next);
      alerting.config = next;
    },
    async close() {
      await dispatcher.stop();
      await store.close();
    },
  };
  return alerting;
}
