import { describe, expect, it } from 'vitest';
import { expandTemplate, relabel, relabelRule } from '../../src/ingest/relabel.ts';
import { parseScrapeConfig, parseScrapeConfigYaml, parsePromDuration } from '../../src/ingest/scrape-config.ts';
import { jobTargets } from '../../src/ingest/scrape-targets.ts';
import { TelltaleError } from '../../src/errors.ts';

describe('relabelling', () => {
  it('expands templates as Go does', () => {
    const m = /^(?<host>[^:]+):(\d+)$/.exec('web:80')!;
    expect(expandTemplate('$1-${2}', m)).toBe('web-80');
    expect(expandTemplate('${host}.svc', m)).toBe('web.svc');
    expect(expandTemplate('$1x', m)).toBe(''); // group "1x" does not exist
    expect(expandTemplate('$$1', m)).toBe('$1');
  });

  it('applies replace, keep, drop, labelmap, labeldrop, labelkeep, hashmod, lowercase', () => {
    const base = { __address__: 'web-1:9100', env: 'Prod', __meta_team: 'core', job: 'node' };
    expect(relabel(base, [relabelRule({ sourceLabels: ['__address__'], regex: '([^:]+):.*', targetLabel: 'host' })])?.host).toBe('web-1');
    expect(relabel(base, [relabelRule({ action: 'keep', sourceLabels: ['env'], regex: 'prod' })])).toBeUndefined();
    expect(relabel(base, [relabelRule({ action: 'keep', sourceLabels: ['env'], regex: '(?i)prod' })])).toBeDefined();
    expect(relabel(base, [relabelRule({ action: 'drop', sourceLabels: ['job', 'env'], regex: 'node;Prod' })])).toBeUndefined();
    expect(relabel(base, [relabelRule({ action: 'labelmap', regex: '__meta_(.+)', replacement: 'meta_$1' })])?.meta_team).toBe('core');
    expect(Object.keys(relabel(base, [relabelRule({ action: 'labeldrop', regex: 'env|job' })])!)).toEqual(['__address__', '__meta_team']);
    expect(Object.keys(relabel(base, [relabelRule({ action: 'labelkeep', regex: '__.*' })])!)).toEqual(['__address__', '__meta_team']);
    expect(relabel(base, [relabelRule({ action: 'lowercase', sourceLabels: ['env'], targetLabel: 'env' })])?.env).toBe('prod');
    const shard = relabel(base, [relabelRule({ action: 'hashmod', sourceLabels: ['__address__'], modulus: 8, targetLabel: 's' })])!.s;
    expect(Number(shard)).toBeGreaterThanOrEqual(0);
    expect(Number(shard)).toBeLessThan(8);
    // the regex is anchored: a partial match does nothing
    expect(relabel(base, [relabelRule({ sourceLabels: ['env'], regex: 'Pro', targetLabel: 'x', replacement: 'y' })])?.x).toBeUndefined();
    // an empty replacement deletes the target label
    expect(relabel(base, [relabelRule({ sourceLabels: ['env'], targetLabel: 'job', replacement: '' })])?.job).toBeUndefined();
  });
});

describe('scrape configuration', () => {
  const yaml = `
global:
  scrape_interval: 30s
scrape_configs:
  - job_name: node
    scrape_interval: 5s
    params: { module: [http_2xx] }
    static_configs:
      - targets: ['127.0.0.1:9100', 'web:9100']
        labels: { env: prod }
    relabel_configs:
      - source_labels: [__address__]
        regex: 'web:.*'
        action: drop
  - job_name: app
    metrics_path: /stats
    scheme: https
    static_configs: [{ targets: ['app:443'] }]
`;

  it('reads the Prometheus shape with its defaults', () => {
    const cfg = parseScrapeConfigYaml(yaml);
    expect(cfg.scrapeConfigs[0]).toMatchObject({ jobName: 'node', intervalMs: 5000, timeoutMs: 5000, metricsPath: '/metrics', honorLabels: false });
    expect(cfg.scrapeConfigs[1]).toMatchObject({ intervalMs: 30_000, timeoutMs: 10_000, scheme: 'https' });
    const targets = jobTargets(cfg.scrapeConfigs[0]);
    expect(targets).toHaveLength(1);
    expect(targets[0].labels).toEqual({ job: 'node', instance: '127.0.0.1:9100', env: 'prod' });
    expect(targets[0].url).toBe('http://127.0.0.1:9100/metrics?module=http_2xx');
    expect(jobTargets(cfg.scrapeConfigs[1])[0].url).toBe('https://app:443/stats');
  });

  it('names the field path of a mistake', () => {
    const err = (input: unknown) => {
      try {
        parseScrapeConfig(input);
      } catch (e) {
        expect(e).toBeInstanceOf(TelltaleError);
        return (e as TelltaleError).message;
      }
      throw new Error('expected a failure');
    };
    expect(err({ scrape_configs: [{ job_name: 'a', scrape_interval: '5 seconds' }] })).toMatch(/^scrape_configs\[0\]\.scrape_interval: "5 seconds" is not a duration/);
    expect(err({ scrape_configs: [{ job_name: 'a', relabel_configs: [{ action: 'replace', source_labels: ['a'] }] }] })).toMatch(/^scrape_configs\[0\]\.relabel_configs\[0\]\.target_label: relabel action replace requires target_label/);
    expect(err({ scrape_configs: [{ job_name: 'a', relabel_configs: [{ regex: '(', target_label: 'x' }] }] })).toMatch(/^scrape_configs\[0\]\.relabel_configs\[0\]\.regex: invalid regular expression/);
    expect(err({ scrape_configs: [{ job_name: 'a', static_configs: [{ targets: ['http://x:1'] }] }] })).toMatch(/static_configs\[0\]\.targets\[0\]: "http:\/\/x:1" is not a host:port/);
    expect(err({ scrape_configs: [{ job_name: 'a', scrape_interval: '5s', scrape_timeout: '10s' }] })).toMatch(/scrape_timeout: 10000ms is greater than scrape_interval/);
    expect(err({ scrape_configs: [{ job_name: 'a' }, { job_name: 'a' }] })).toMatch(/^scrape_configs\[1\]\.job_name: duplicate job name/);
    expect(err({ scrape_configs: [{ job_name: 'a', scrape_intervall: '5s' }] })).toMatch(/^scrape_configs\[0\]: Unrecognized key/i);
    expect(err({ scrape_configs: [{ job_name: 'a', static_configs: [{ labels: { 'bad-name': 'x' } }] }] })).toMatch(/not a valid label name/);
  });

  it('reads Prometheus durations', () => {
    expect(parsePromDuration('1m30s')).toBe(90_000);
    expect(parsePromDuration('250ms')).toBe(250);
    expect(parsePromDuration('1d')).toBe(86_400_000);
    expect(parsePromDuration('1.5s')).toBeUndefined();
  });
});
