/** The `telltale` command line. Commands are thin: parse flags, call a domain, pick a reporter. */
import { Command, CommanderError } from 'commander';
import { TelltaleError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { registerRun } from './commands/run.ts';
import { registerDemo } from './commands/demo.ts';
import { registerCapacity } from './commands/capacity.ts';
import { registerRuns } from './commands/runs.ts';
import { registerBaseline } from './commands/baseline.ts';
import { registerGate } from './commands/gate.ts';
import { registerValidate } from './commands/validate.ts';
import { registerServe } from './commands/serve.ts';
import { registerCompare } from './commands/compare.ts';
import { registerRules } from './commands/rules.ts';
import { registerAuth } from './commands/auth.ts';
import { registerAnnotate } from './commands/annotate.ts';

export function buildProgram(setExit: (code: number) => void = () => undefined): Command {
  const program = new Command();
  program
    .name('telltale')
    .description('Continuous performance: k6-compatible load tests, CI gates, metrics and alerting')
    .version(VERSION, '-v, --version')
    .showHelpAfterError()
    // `-v/--version` is the program's only before the command name, so `annotate --version v2` is the annotation's
    .enablePositionalOptions()
    .exitOverride();
  registerRun(program, setExit);
  registerCapacity(program, setExit);
  registerDemo(program, setExit);
  registerRuns(program, setExit);
  registerBaseline(program, setExit);
  registerGate(program, setExit);
  registerValidate(program, setExit);
  registerServe(program, setExit);
  registerCompare(program, setExit);
  registerRules(program, setExit);
  registerAuth(program, setExit);
  registerAnnotate(program, setExit);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    return reportError(err);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and version exit 0; everything else is a usage error
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2;
  }
  if (err instanceof TelltaleError) {
    process.stderr.write(`error: ${err.format()}\n`);
    return err.exitCode;
  }
  process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 103;
}
