// The fast path's disk: reads with node:fs, writes every planned file in one all-or-nothing transaction
// (lib/run/write/transaction.ts; Yeoman's editor hands its files to the same transaction).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { PlannedFile } from '../repository/plan.js';
import type { Disk } from './session.js';
import { applyTransaction, interruptedRunIn, recoverInterruptedRun, type TransactionOptions } from './write/transaction.js';

export async function writeToDisk(destination: string, files: PlannedFile[], options: TransactionOptions = {}): Promise<void> {
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

/** The disk of a dry run: a killed run's leftovers are reported, not undone (a dry run changes nothing). */
export const previewDisk: Disk = { ...nodeDisk, recover: (folder, takeOver) => interruptedRunIn(folder, takeOver) };
