// One line per failed write: the path, the cause in words and its code, what happened to the repository, and the
// exit code (1: the machine's problem, 3: something in the repository the user must move or decide about).

/** Exit code 3: a path in the repository is in the way (a folder, a symlink, a file where a folder is needed). */
export const USER_DECIDES = 3;

export class WriteFailure extends Error {
  /**
   * `code` is the exit code as a number: `yo` exits with an error's `code`, and a string such as 'ENOSPC' there
   * ends in a TypeError stack trace instead of this message.
   */
  readonly code: number;

  constructor(message: string, readonly exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WriteFailure';
    this.code = exitCode;
  }
}

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is a file, not a folder',
  ENOENT: 'it vanished while the run was writing',
  EIO: 'input/output error from the device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long for the file system',
  ELOOP: 'too many levels of symbolic links',
};

/** The cause of a file-system error in words, with its code: "no space left on the device (ENOSPC)". */
export function describeCause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code in CAUSES) return `${CAUSES[code]} (${code})`;
  return (error as Error | undefined)?.message?.split('\n')[0] ?? String(error);
}

/** EISDIR and ENOTDIR mean something in the repository is in the way: the user must move it. */
export function exitCodeFor(error: unknown): number {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EISDIR' || code === 'ENOTDIR' ? USER_DECIDES : 1;
}
