// The non-interactive run without Yeoman's runtime (which costs ~0.7 s to import): same session, same plan,
// written with node:fs. `yo chalice-pipeline` and interactive runs go through the Yeoman generators instead.
import { relative, join } from 'node:path';
import { afterWrite } from './after-write.js';
import type { CliArgs } from './cli-args.js';
import { describeAction } from './plan.js';
import { filesToWrite, prepare, type Prepared } from './session.js';
import { nodeDisk, writeToDisk } from './write.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Lines describing the plan before anything is written (Yeoman's conflicter lists the files itself). */
export function planReport(prepared: Prepared, cwd: string, { listFiles = true } = {}): string[] {
  const lines = [...prepared.warnings.map((w) => `warning: ${w}`), ...(prepared.upgrade ?? [])];
  for (const file of listFiles ? prepared.plan.files : []) {
    lines.push(describeAction({ ...file, path: relative(cwd, join(prepared.destination, file.path)) }));
  }
  return [...lines, ...prepared.plan.notes.map((note) => `note: ${note}`)];
}

export async function runWithoutPrompts(args: CliArgs, cwd: string, env: NodeJS.ProcessEnv, output: Output): Promise<void> {
  const prepared = await prepare(
    { kind: args.kind, cwd, flags: args.flags, answersFile: args.answers, nonInteractive: true, force: args.force, env },
    nodeDisk,
  );
  for (const line of planReport(prepared, cwd)) output.out(line);
  if (args.dryRun) {
    output.out('dry run: nothing was written');
    return;
  }
  const changes = filesToWrite(prepared.plan, args.force);
  writeToDisk(prepared.destination, changes);
  if (changes.length === 0 && !prepared.fresh) {
    output.out('up to date: nothing to change');
    return;
  }
  for (const line of afterWrite(prepared, { skipGit: args.skipGit, skipInstall: args.skipInstall, cwd, env })) output.out(line);
}
