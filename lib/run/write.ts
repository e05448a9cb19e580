// The fast path's disk: reads with node:fs, writes every planned file in one all-or-nothing transaction
// (lib/run/write/transaction.ts; Yeoman's editor hands its files to the same transaction).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { PlannedFile } from '../repository/plan.js';
import type { Disk } from './session.js';
import { applyTransaction, interruptedRunIn, noteSeen, recoverInterruptedRun, refuseIfDisturbed, type Seen, type TransactionOptions } from './write/transaction.js';

export async function writeToDisk(destination: string, files: Pick<PlannedFile, 'path' | 'contents'>[], options: TransactionOptions = {}): Promise<void> {
  await applyTransaction(destination, files.map((file) => ({ path: file.path, contents: file.contents })), options);
}

export const nodeDisk: Disk = {
  exists: (path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  list: (path) => {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
  recover: (folder, takeOver) => recoverInterruptedRun(folder, takeOver),
};

/**
 * A disk that remembers what the run saw of each file (its text, or that it was absent), so the writer can check
 * that nothing changed between reading and writing (another run wrote meanwhile: its plan would be mixed with ours).
 */
export function recordingDisk(disk: Disk): { disk: Disk; seen: Seen } {
  const seen: Seen = new Map();
  return {
    seen,
    disk: {
      ...disk,
      exists: (path) => {
        const found = disk.exists(path);
        noteSeen(seen, path, found ? 'exists' : null);
        return found;
      },
      read: (path) => {
        const text = disk.read(path);
        noteSeen(seen, path, text ?? null);
        return text;
      },
      settled: (root, takeOver) => refuseIfDisturbed(root, seen, takeOver),
    },
  };
}

/** The disk of a dry run: a killed run's leftovers are reported, not undone (a dry run changes nothing). */
export const previewDisk: Disk = { ...nodeDisk, recover: (folder, takeOver) => interruptedRunIn(folder, takeOver) };
