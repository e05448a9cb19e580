// The interactive route of the bin: the real generators through yeoman-environment, as `yo` would run them.
import { fileURLToPath } from 'node:url';
import type { CliArgs } from './cli-args.js';
import { SETTINGS } from '../answers/settings.js';

export async function runWithYeoman(args: CliArgs): Promise<void> {
  const { createEnv } = await import('yeoman-environment');
  const env = createEnv();
  for (const kind of ['app', 'pipeline']) {
    env.register(fileURLToPath(new URL(`../../generators/${kind}/index.js`, import.meta.url)), { namespace: `chalice-pipeline:${kind}` });
  }
  const options: Record<string, unknown> = {
    force: args.force, skipInstall: args.skipInstall, 'skip-git': args.skipGit, dryRun: args.dryRun,
    answers: args.answers, defaults: args.defaults,
  };
  for (const setting of SETTINGS) if (args.flags[setting.key] !== undefined) options[setting.flag] = args.flags[setting.key];
  await env.run([`chalice-pipeline:${args.kind}`], options);
}
