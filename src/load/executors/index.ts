/** Creates the executor that runs a scenario's share in this worker. */
import type { Executor, ExecutorContext, ScenarioConfig } from '../types.ts';
import { ConstantArrivalRate } from './constant-arrival-rate.ts';
import { ConstantVus } from './constant-vus.ts';
import { PerVuIterations } from './per-vu-iterations.ts';
import { RampingArrivalRate } from './ramping-arrival-rate.ts';
import { RampingVus } from './ramping-vus.ts';
import { SharedIterations } from './shared-iterations.ts';

export function createExecutor(config: ScenarioConfig, ctx: ExecutorContext): Executor {
  switch (config.executor) {
    case 'shared-iterations':
      return new SharedIterations(config, ctx);
    case 'per-vu-iterations':
      return new PerVuIterations(config, ctx);
    case 'constant-vus':
      return new ConstantVus(config, ctx);
    case 'ramping-vus':
      return new RampingVus(config, ctx);
    case 'constant-arrival-rate':
      return new ConstantArrivalRate(config, ctx);
    case 'ramping-arrival-rate':
      return new RampingArrivalRate(config, ctx);
  }
}
