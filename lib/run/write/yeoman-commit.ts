// Yeoman's commit, made all-or-nothing: the environment's own steps (.yo-resolve, .yo-rc.json written without a
// question, the conflicter with its questions and its create/force/identical/skip lines), then every file the conflicter let through goes to
// applyTransaction in one piece instead of mem-fs-editor writing them one after another. It is handed to the
// environment as the `customCommitTask` feature, so it commits every file in the shared editor, including those of
// generators composed with ours.
import { existsSync, readFileSync } from 'node:fs';
import { Transform } from 'node:stream';
import { basename, relative } from 'node:path';
import { createConflicterTransform, createYoResolveTransform } from '@yeoman/conflicter';
import { clearFileState, isFileNew, isFilePending, isFileStateDeleted, setCommittedFile } from 'mem-fs-editor/state';
import type { MemFsEditorFile } from 'mem-fs-editor';
import type { Store } from 'mem-fs';
import { applyTransaction, type Seen } from './transaction.js';

/** What the commit needs of yeoman-environment (its shared editor store, terminal adapter and conflicter options). */
export interface CommittingEnvironment {
  sharedFs: Store<MemFsEditorFile>;
  adapter: unknown;
  conflicterOptions?: Record<string, unknown>;
}

/**
 * Commits the shared editor's pending files under root in one transaction. cwd: where the user ran the command
 * (paths in messages); seen: what the run read from disk, which must not have changed since (another run). A failure throws a WriteFailure and leaves both the disk and the files' pending state as they
 * were.
 */
export async function commitInOneTransaction(env: CommittingEnvironment, root: string, cwd: string, seen?: Seen): Promise<void> {
  const accepted: MemFsEditorFile[] = [];
  const collect = new Transform({
    objectMode: true,
    transform(file: MemFsEditorFile, _encoding, done) {
      if (isFilePending(file)) accepted.push(file);
      done(null, file);
    },
  });
  await env.sharedFs.pipeline(
    { filter: (file: MemFsEditorFile) => isFilePending(file) || file.path.endsWith('.yo-resolve') },
    createYoResolveTransform(),
    recordsWithoutQuestion(env.adapter),
    createConflicterTransform(env.adapter as never, env.conflicterOptions as never),
    collect,
  );
  const changes = accepted.map((file) => ({
    path: relative(root, file.path).split('\\').join('/'),
    contents: isFileStateDeleted(file) ? null : file.contents ?? Buffer.alloc(0),
    // A new file copied from a template carries the template's permissions; a file on disk keeps its own.
    mode: isFileNew(file) ? file.stat?.mode : undefined,
  }));
  await applyTransaction(root, changes, { cwd, seen });
  for (const file of accepted) {
    setCommittedFile(file);
    clearFileState(file);
  }
}

const RECORDS = new Set(['.yo-rc.json', '.yo-rc-global.json', '.yo-resolve']);

/**
 * Yeoman's records go through without a question, as its own forceYoFiles does, but reported for what happens to
 * them (create, update, identical) rather than as `force`, which reads as "overwritten" (`update` where the
 * generator has taught the log that word).
 */
function recordsWithoutQuestion(adapter: unknown): Transform {
  const log = (adapter as { log?: Record<string, unknown> }).log ?? {};
  return new Transform({
    objectMode: true,
    transform(file: MemFsEditorFile & { conflicter?: string }, _encoding, done) {
      // Whatever a .yo-resolve says: the record is written whenever the files are (as forceYoFiles does).
      if (RECORDS.has(basename(file.path)) && isFilePending(file)) {
        const onDisk = existsSync(file.path) ? readFileSync(file.path) : undefined;
        file.conflicter = onDisk === undefined ? 'create'
          : file.contents && onDisk.equals(file.contents) ? 'identical'
          : typeof log.update === 'function' ? 'update' : 'force';
      }
      done(null, file);
    },
  });
}
