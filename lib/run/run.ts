// The non-interactive run without Yeoman's runtime (which costs ~0.7 s to import): same session, same plan,
// written with node:fs. `yo chalice-pipeline` and interactive runs go through the Yeoman generators instead.
import { finish, install, nothingWritten } from './after-write.js';
import type { CliArgs } from './cli-args.js';
import { filesToWrite, forcedBackups, planReport, prepare } from './session.js';
import { nodeDisk, previewDisk, recordingDisk, writeToDisk } from './write.js';
import type { FileSystem } from './write/transaction.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** fs: the file system the writer uses (tests pass one that fails at a chosen call). */
export async function runWithoutPrompts(args: CliArgs, cwd: string, env: NodeJS.ProcessEnv, output: Output, fs?: FileSystem): Promise<void> {
  const { disk, seen } = recordingDisk(args.dryRun ? previewDisk : nodeDisk);
  const prepared = await prepare(
    { kind: args.kind, cwd, flags: args.flags, answersFile: args.answers, nonInteractive: true, force: args.force, env },
    disk,
  );
  for (const line of planReport(prepared, cwd, disk.read, { diff: args.diff })) output.out(line);
  if (args.dryRun) {
    output.out('dry run: nothing was written');
    return;
  }
  const backups = forcedBackups(prepared, args.force, disk.read);
  const changes = [...filesToWrite(prepared.plan, args.force), ...backups.changes];
  await writeToDisk(prepared.destination, changes, { cwd, fs, seen });
  if (backups.line) output.out(backups.line);
  const nothing = nothingWritten(prepared);
  if (nothing) {
    output.out(nothing);
    return;
  }
  const options = { skipGit: args.skipGit, skipInstall: args.skipInstall, cwd, env };
  const steps = {
    say: (line: string) => output.out(line),
    progress: <T extends { ok: boolean }>(heading: string, step: () => Promise<T>) => {
      output.out(`${heading} ...`);
      return step();
    },
  };
  const venv = await install(prepared, options, steps);
  for (const line of venv.lines) output.out(line);
  for (const line of finish(prepared, options, venv.finish)) output.out(line);
}
