// One GET per iteration at a fixed arrival rate, parameterised by environment variables so the same
// script serves bench/arrival-rate.ts and the long-run part of bench/memory.ts:
//   URL (required), RATE (iterations/s), DURATION ("30s"), PRE_VUS, MAX_VUS.
import http from 'k6/http';

declare const __ENV: Record<string, string>;

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  scenarios: {
    rate: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 1000),
      timeUnit: '1s',
      duration: __ENV.DURATION || '30s',
      preAllocatedVUs: Number(__ENV.PRE_VUS || 100),
      maxVUs: Number(__ENV.MAX_VUS || 1000),
    },
  },
};

export default async function () {
  await http.get(__ENV.URL);
}
