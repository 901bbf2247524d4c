// One GET per iteration: the generator-overhead benchmark (bench/http-throughput.ts) and nothing else.
import http from 'k6/http';

declare const __ENV: Record<string, string>;

// p(99) is not in k6's default trend stats; the benchmark table reports it.
export const options = {
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

export default async function () {
  await http.get(__ENV.URL);
}
