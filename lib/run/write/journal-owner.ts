// Which run a journal belongs to. Two runs in one repository at once (two terminals, a script and an editor task)
// must not take each other's journal for a killed run's leftovers: undoing a live run would half-write it.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { WriteFailure } from './failure.js';

/** Recorded in the journal: the process writing it, on this machine (a shared folder may be written from another). */
export interface JournalOwner {
  pid?: number;
  host?: string;
}

export const thisRun = (): Required<JournalOwner> => ({ pid: process.pid, host: hostname() });

/** Whether the journal's process is still running here: a run in progress rather than a killed one's leftovers. */
export function ownerIsRunning(owner: JournalOwner): boolean {
  if (owner.pid === undefined || owner.pid === process.pid) return false;
  // Another machine's run cannot be checked: its journal is left alone (and its run will clean it up).
  if (owner.host !== undefined && owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A recycled process id names some other program: only a Node.js process (the bin, yo) can be one of our runs.
  try {
    return /node|chalice-pipeline|yo/.test(readFileSync(`/proc/${owner.pid}/cmdline`, 'latin1'));
  } catch {
    return true;
  }
}

/** Another run is writing in folder: exit 1, nothing touched. */
export function anotherRunIsWriting(folder: string, owner: JournalOwner): WriteFailure {
  const who = owner.pid === undefined ? 'another chalice-pipeline run' : `another chalice-pipeline run (process ${owner.pid}${owner.host && owner.host !== hostname() ? ` on ${owner.host}` : ''})`;
  return new WriteFailure(`${who} is writing in ${folder}: nothing was changed; run again when it has ended`, 1);
}
