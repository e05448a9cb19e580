// How a run was started and whether it may ask: small on purpose, so that --help and the bin's first steps load
// nothing else.
/** How the user runs each generator: named in messages (the bin's commands, or `yo`'s). */
export interface Commands {
  app: string;
  pipeline: string;
}
export const BIN_COMMANDS: Commands = { app: 'chalice-pipeline', pipeline: 'chalice-pipeline pipeline' };
export const YO_COMMANDS: Commands = { app: 'yo chalice-pipeline', pipeline: 'yo chalice-pipeline:pipeline' };
/** The generator option the bin's Yeoman route passes, so that messages name the bin's commands. */
export const BIN_ROUTE_OPTION = 'chalicePipelineBin';

/**
 * Whether a run may ask questions, the one rule for the bin, `yo`, yeoman-environment and yeoman-test: never with
 * --answers or --defaults; otherwise only when someone can answer: a terminal on the input, or a scripted
 * answerer without an input stream (yeoman-test's adapter).
 */
export function canAsk(run: { answers?: unknown; defaults?: unknown }, input: { isTTY?: boolean } | 'scripted'): boolean {
  if (run.answers || run.defaults) return false;
  return input === 'scripted' || input.isTTY === true;
}
