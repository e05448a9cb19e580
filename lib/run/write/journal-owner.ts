// Which run a journal belongs to. Two runs in one repository at once (two terminals, a script and an editor task)
// must not take each other's journal for a killed run's leftovers: undoing a live run would half-write it. A journal
// names its process precisely enough to tell a live run from a dead one whose process id was reused since.
import { readFileSync, readlinkSync } from 'node:fs';
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
  /** The machine (/etc/machine-id) and process-id namespace (containers sharing a folder each have their own). */
  machine?: string;
  namespace?: string;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** State and start time (fields 3 and 22) of /proc/<pid>/stat, read after the command name (it may hold spaces). */
function processStat(pid: number): { state: string; started: number } | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const started = Number(fields?.[19]);
  return fields && Number.isFinite(started) ? { state: fields[0]!, started } : undefined;
}

const bootId = () => readText('/proc/sys/kernel/random/boot_id');
const machineId = () => readText('/etc/machine-id');
const pidNamespace = () => {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
};

/** The owner record of a process of this machine (this run's: ownerOf(process.pid)). */
export function ownerOf(pid: number): JournalOwner {
  return { pid, host: hostname(), boot: bootId(), started: processStat(pid)?.started, machine: machineId(), namespace: pidNamespace() };
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
  // Another machine (or one cloned under the same host name), or another container's process ids: not checkable here.
  const differs = (recorded: string | undefined, here: string | undefined) => recorded !== undefined && here !== undefined && recorded !== here;
  if ((owner.host !== undefined && owner.host !== hostname()) || differs(owner.machine, machineId()) || differs(owner.namespace, pidNamespace())) return 'unknown';
  // This machine since booted again: every process of the journal's boot has ended.
  if (differs(owner.boot, bootId())) return owner.machine !== undefined ? 'dead' : 'unknown';
  // This very process cannot be a run that wrote before it started.
  if (owner.pid === process.pid) return 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  const stat = processStat(owner.pid);
  // A killed run that its parent has not reaped yet still answers, as a zombie.
  if (stat?.state === 'Z') return 'dead';
  if (owner.started !== undefined && stat !== undefined) return stat.started === owner.started ? 'running' : 'dead';
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
