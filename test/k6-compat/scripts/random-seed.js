import { check, randomSeed } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  randomSeed(123);
  const first = [Math.random(), Math.random(), Math.random()];
  randomSeed(123);
  const again = [Math.random(), Math.random(), Math.random()];
  randomSeed(456);
  const other = [Math.random(), Math.random(), Math.random()];

  check(first, {
    'same seed, same sequence': (a) => a.every((v, i) => v === again[i]),
    'values within [0, 1)': (a) => a.every((v) => v >= 0 && v < 1),
    'another seed, another sequence': (a) => a.some((v, i) => v !== other[i]),
  });
}
