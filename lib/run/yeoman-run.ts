// The interactive route of the bin: the real generators through yeoman-environment, as `yo` would run them.
// yeoman-environment (with npm's installer, ~200 packages) is an optional peer dependency: `yo` brings its own,
// and the bin's non-interactive fast path never loads it.
import { fileURLToPath } from 'node:url';
import { InputError } from '../answers/answers.js';
import type { CliArgs } from './cli-args.js';
import { BIN_ROUTE_OPTION } from './commands.js';
import { SETTINGS } from '../answers/settings.js';

async function loadEnvironment(): Promise<typeof import('yeoman-environment')> {
  try {
    return await import('yeoman-environment');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new InputError([
      'asking questions needs Yeoman\'s runtime (yeoman-environment), which is not installed: run `yo chalice-pipeline`, '
      + 'or `npx -p yo -p generator-chalice-pipeline chalice-pipeline`, or answer without questions (--defaults, --answers FILE)',
    ]);
  }
}

export async function runWithYeoman(args: CliArgs): Promise<void> {
  const { createEnv } = await loadEnvironment();
  const env = createEnv();
  for (const kind of ['app', 'pipeline']) {
    env.register(fileURLToPath(new URL(`../../generators/${kind}/index.js`, import.meta.url)), { namespace: `chalice-pipeline:${kind}` });
  }
  const options: Record<string, unknown> = {
    force: args.force, skipInstall: args.skipInstall, 'skip-git': args.skipGit, dryRun: args.dryRun, diff: args.diff,
    answers: args.answers, defaults: args.defaults, askAnswered: args.askAnswered,
    // Messages name the bin's commands, not yo's.
    [BIN_ROUTE_OPTION]: true,
  };
  for (const setting of SETTINGS) if (args.flags[setting.key] !== undefined) options[setting.flag] = args.flags[setting.key];
  await env.run([`chalice-pipeline:${args.kind}`], options);
}
