/** openAlerting wires config file, store and dispatcher on real timers; a bad reload keeps the running config. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAlerting } from '../../src/alerting/index.ts';
import { TelltaleError } from '../../src/errors.ts';
import { eventually } from './real-alertmanager.ts';
import { startCapture, type Capture } from './helpers.ts';

let hook: Capture;
let dir: string;
beforeEach(async () => {
  hook = await startCapture();
  dir = await mkdtemp(path.join(tmpdir(), 'tt-open-'));
});
afterEach(async () => {
  await hook.close();
  await rm(dir, { recursive: true, force: true });
});

describe('openAlerting', () => {
  it('notifies on real timers, reloads, and refuses a broken file without dropping the running config', async () => {
    const file = path.join(dir, 'alertmanager.yml');
    const yaml = (wait: string) => `route:\n  receiver: web\n  group_wait: ${wait}\nreceivers:\n  - name: web\n    webhook_configs: [{ url: "${hook.url}/h" }]\n`;
    await writeFile(file, yaml('0s'));
    const alerting = await openAlerting({ configFile: file, store: path.join(dir, 'alerts.db'), externalURL: 'http://tt.example' });
    try {
      alerting.api.postAlerts([{ labels: { alertname: 'Now' } }]);
      const req = await eventually(() => hook.requests[0]);
      expect(req.body).toMatchObject({ externalURL: 'http://tt.example', alerts: [{ labels: { alertname: 'Now' } }] });
      await writeFile(file, yaml('10s'));
      await alerting.reload();
      expect(alerting.config.route.groupWaitMs).toBe(10_000);
      await writeFile(file, 'route: [');
      await expect(alerting.reload()).rejects.toThrow(TelltaleError);
      expect(alerting.dispatcher.config.route.groupWaitMs).toBe(10_000);
    } finally {
      await alerting.close();
    }
    await expect(openAlerting({ configFile: path.join(dir, 'missing.yml'), store: ':memory:' })).rejects.toThrow(/cannot read .*missing\.yml/);
  });
});
