// Ctrl-C or a terminate request ends the run quietly with the shell's code (130, 143, 129), never in the middle of
// a write: while a transaction holds the signals, one that arrives is kept; the transaction then undoes its staged
// files (if it had not started moving them into place) or finishes, and the process exits when it lets go.
const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
let installed = false;
let holders = 0;
let pending: NodeJS.Signals | undefined;

/** Installs the handlers once per process (the bin and each Yeoman generator call it). */
export function exitQuietlyOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(EXIT_CODES) as NodeJS.Signals[]) {
    process.on(signal, () => {
      pending ??= signal;
      if (holders === 0) process.exit(EXIT_CODES[signal]);
    });
  }
}

/** A signal arrived while held. */
export const signalPending = () => pending !== undefined;

/** Holds signals until the returned function is called (then exits if one arrived meanwhile). */
export function holdSignals(): () => void {
  holders += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0 && pending) process.exit(EXIT_CODES[pending]);
  };
}

/**
 * Ctrl-C at a question: the terminal is in raw mode, so inquirer gets a key (and rejects with ExitPromptError), not
 * a signal. Ends the run as SIGINT does, on every route (under `yo` the error would otherwise exit 1 with its text).
 */
export function exitAsInterrupted(): void {
  pending ??= 'SIGINT';
  if (holders === 0) process.exit(EXIT_CODES.SIGINT);
}
