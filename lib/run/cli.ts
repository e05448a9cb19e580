// The command line as a function: arguments and a terminal in, an exit code out (the bin is a thin wrapper,
// so tests can run the same code in-process).
import { InputError } from '../answers/answers.js';
import { parseCli, usage } from './cli-args.js';
import type { Output } from './run.js';
import { canAsk } from './commands.js';

export interface CliContext extends Output {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdin is a terminal: only then may the run ask questions. */
  interactive: boolean;
}

export async function cli(argv: string[], context: CliContext): Promise<number> {
  try {
    const args = parseCli(argv);
    if (args.help) {
      context.out(usage(args.named ? args.kind : undefined));
      return 0;
    }
    if (args.version) {
      const { readFileSync } = await import('node:fs');
      context.out(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version);
      return 0;
    }
    const nonInteractive = !canAsk(args, { isTTY: context.interactive });
    // CHALICE_PIPELINE_RUNTIME=yeoman forces Yeoman's runtime for a non-interactive run (the tests compare both).
    if (nonInteractive && context.env.CHALICE_PIPELINE_RUNTIME !== 'yeoman') {
      const { runWithoutPrompts } = await import('./run.js');
      await runWithoutPrompts(args, context.cwd, context.env, context);
    } else {
      const { runWithYeoman } = await import('./yeoman-run.js');
      await runWithYeoman(args);
    }
    return 0;
  } catch (error) {
    if (error instanceof InputError) {
      for (const problem of error.problems) context.err(`error: ${problem}`);
      return error.exitCode;
    }
    // Ctrl-C at a question: the shell's code for SIGINT, quietly (nothing was written yet).
    if ((error as Error).name === 'ExitPromptError') return 130;
    const exitCode = (error as { exitCode?: number }).exitCode;
    context.err(`error: ${(error as Error).message ?? error}`);
    return typeof exitCode === 'number' ? exitCode : 1;
  }
}
