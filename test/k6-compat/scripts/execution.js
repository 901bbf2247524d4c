import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import exec from 'k6/execution';

const BASE = __ENV.BASE_URL;
const seen = new Counter('iterations_seen');

export const options = {
  scenarios: {
    main: { executor: 'per-vu-iterations', vus: 2, iterations: 2, tags: { team: 'qa' } },
  },
  thresholds: {
    'iterations_seen{iit:0}': ['count==1'],
    'iterations_seen{iit:1}': ['count==1'],
    'iterations_seen{iit:2}': ['count==1'],
    'iterations_seen{iit:3}': ['count==1'],
    'http_reqs{step:tagged}': ['count==4'],
    'http_reqs{team:qa}': ['count==4'],
  },
};

export default function () {
  check(exec, {
    'scenario name and executor': (e) => e.scenario.name === 'main' && e.scenario.executor === 'per-vu-iterations',
    'vu.idInTest is __VU': (e) => e.vu.idInTest === __VU && e.vu.idInInstance >= 1,
    'vu.iterationInScenario is __ITER': (e) => e.vu.iterationInScenario === __ITER,
    'scenario.iterationInTest within the scenario': (e) => e.scenario.iterationInTest >= 0 && e.scenario.iterationInTest < 4,
    'scenario.startTime is an epoch in ms': (e) => e.scenario.startTime > 1e12 && e.scenario.startTime <= Date.now(),
    'scenario.progress within [0, 1]': (e) => e.scenario.progress >= 0 && e.scenario.progress <= 1,
    'instance counters': (e) => e.instance.vusActive >= 1 && e.instance.iterationsCompleted >= 0 && e.instance.currentTestRunDuration >= 0,
  });
  seen.add(1, { iit: String(exec.scenario.iterationInTest) });

  exec.vu.tags.step = 'tagged';
  check(exec.vu.tags, { 'vu.tags reads back a set tag': (t) => t.step === 'tagged' });
  http.get(`${BASE}/api/items`);
}
