#!/usr/bin/env node
// chalice-pipeline [app|pipeline] [options]: the generators without a global `yo`.
import { InputError } from '../lib/answers.js';
import { parseCli, usage } from '../lib/cli-args.js';

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv);
  if (args.help) {
    console.log(usage());
    return 0;
  }
  const nonInteractive = Boolean(args.answers) || args.defaults || !process.stdin.isTTY;
  // CHALICE_PIPELINE_RUNTIME=yeoman forces Yeoman's runtime for a non-interactive run (the tests compare both).
  if (nonInteractive && process.env.CHALICE_PIPELINE_RUNTIME !== 'yeoman') {
    const { runWithoutPrompts } = await import('../lib/run.js');
    await runWithoutPrompts(args, process.cwd(), process.env, { out: (line) => console.log(line), err: (line) => console.error(line) });
  } else {
    const { runWithYeoman } = await import('../lib/yeoman-run.js');
    await runWithYeoman(args);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InputError) {
      for (const problem of error.problems) console.error(`error: ${problem}`);
      process.exitCode = error.exitCode;
      return;
    }
    const exitCode = (error as { exitCode?: number }).exitCode;
    console.error(`error: ${(error as Error).message ?? error}`);
    process.exitCode = typeof exitCode === 'number' ? exitCode : 1;
  },
);
