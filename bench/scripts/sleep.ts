// Idle VUs: measures the memory cost of a VU itself (bench/memory.ts), with no traffic.
import { sleep } from 'k6';

export default async function () {
  await sleep(10);
}
