import { check } from 'k6';
import exec from 'k6/execution';

export const options = {
  scenarios: {
    main: { executor: 'per-vu-iterations', vus: 2, iterations: 1, tags: { team: 'qa' } },
  },
  thresholds: { checks: ['rate==1'] },
};

export default function () {
  check(exec.test.options, {
    'scenarios are keyed by name': (o) => o.scenarios.main.executor === 'per-vu-iterations' && o.scenarios.main.vus === 2,
    'thresholds as given': (o) => o.thresholds.checks[0] === 'rate==1' || o.thresholds.checks[0].threshold === 'rate==1',
  });
}
