// Which run a journal belongs to. Two runs in one repository at once (two terminals, a script and an editor task)
// must not take each other's journal for a killed run's leftovers: undoing a live run would half-write it. A journal
// names its process precisely enough to tell a live run from a dead one whose process id was reused since.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { WriteFailure } from './failure.js';

/** Recorded in the journal: the process writing it, on this machine since its last boot. */
export interface JournalOwner {
  pid?: number;
  host?: string;
  /** The kernel's id of this boot (Linux): a journal of an earlier boot is a dead run's. */
  boot?: string;
  /** When the process started, in clock ticks since boot (Linux): a reused process id starts at another time. */
  started?: number;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** Field 22 of /proc/<pid>/stat, read after the command name (which may hold spaces and parentheses). */
function startTicks(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

const bootId = () => readText('/proc/sys/kernel/random/boot_id');

/** The owner record of a process of this machine (this run's: ownerOf(process.pid)). */
export function ownerOf(pid: number): JournalOwner {
  return { pid, host: hostname(), boot: bootId(), started: startTicks(pid) };
}

export const thisRun = (): JournalOwner => ownerOf(process.pid);

/**
 * `running`: the journal's run is going on now. `dead`: it was killed, so its leftovers are to be undone. `unknown`:
 * it cannot be told from here (another machine sharing the folder, or a system without /proc whose process id is in
 * use): the user decides (--force).
 */
export type OwnerState = 'running' | 'dead' | 'unknown';

export function ownerState(owner: JournalOwner): OwnerState {
  // A journal of a version that did not record its process.
  if (owner.pid === undefined) return 'dead';
  if (owner.host !== undefined && owner.host !== hostname()) return 'unknown';
  const boot = bootId();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return 'dead';
  // This very process cannot be a run that wrote before it started.
  if (owner.pid === process.pid) return 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  const started = startTicks(owner.pid);
  if (owner.started !== undefined && started !== undefined) return started === owner.started ? 'running' : 'dead';
  return 'unknown';
}

const describeOwner = (owner: JournalOwner) =>
  owner.pid === undefined ? 'another chalice-pipeline run' : `another chalice-pipeline run (process ${owner.pid}${owner.host && owner.host !== hostname() ? ` on ${owner.host}` : ''})`;

/** Another run is writing in folder: exit 1, nothing touched. */
export function anotherRunIsWriting(folder: string, owner: JournalOwner): WriteFailure {
  return new WriteFailure(`${describeOwner(owner)} is writing in ${folder}: nothing was changed; run again when it has ended`, 1);
}

/** A journal whose run cannot be checked from here: exit 1 with the way out. */
export function maybeAnotherRun(folder: string, owner: JournalOwner): WriteFailure {
  return new WriteFailure(
    `${describeOwner(owner)} may still be writing in ${folder}: nothing was changed; when it has ended, run again; if it was killed, run again with --force to undo what it left`,
    1,
  );
}
