// Our Makefile targets live in one marked block: a new repository gets just the block, an existing Makefile
// keeps every line of its own and gets the block appended (or replaced in place on a re-run).
export const MAKE_BLOCK_START = '# >>> chalice-pipeline: generated block, re-running the generator replaces it >>>';
export const MAKE_BLOCK_END = '# <<< chalice-pipeline <<<';

export const MAKE_TARGETS = [
  'help', 'venv', 'test', 'integration-test', 'package', 'lint', 'deploy', 'outputs', 'status', 'remote', 'push', 'destroy',
] as const;
export type MakeTarget = (typeof MAKE_TARGETS)[number];
export type MakeTargets = Record<MakeTarget, string>;

/** Our target names: the plain name, or `pipeline-<name>` where the user's Makefile already has that target. */
export function targetNames(userTargets: ReadonlySet<string> = new Set()): { targets: MakeTargets; renamed: MakeTarget[] } {
  const targets = {} as MakeTargets;
  const renamed: MakeTarget[] = [];
  for (const name of MAKE_TARGETS) {
    const taken = userTargets.has(name);
    targets[name] = taken ? `pipeline-${name}` : name;
    if (taken) renamed.push(name);
  }
  return { targets, renamed };
}

/** Split a Makefile into the user's lines and our block (if a previous run left one). */
export function splitMakefile(text: string): { before: string; block?: string; after: string } {
  const start = text.indexOf(MAKE_BLOCK_START);
  if (start === -1) return { before: text, after: '' };
  const endMarker = text.indexOf(MAKE_BLOCK_END, start);
  if (endMarker === -1) throw new Error(`Makefile: found "${MAKE_BLOCK_START}" without its end marker "${MAKE_BLOCK_END}"; restore or remove the marker`);
  const end = endMarker + MAKE_BLOCK_END.length + (text[endMarker + MAKE_BLOCK_END.length] === '\n' ? 1 : 0);
  return { before: text.slice(0, start), block: text.slice(start, end), after: text.slice(end) };
}

/** Targets the user's own lines define (rules `name:` or `name ::`, not variable assignments). */
export function userTargets(text: string): Set<string> {
  const { before, after } = splitMakefile(text);
  const names = new Set<string>();
  for (const line of `${before}\n${after}`.split('\n')) {
    const match = /^([A-Za-z0-9_.\-/ ]+?)\s*::?(?![=])/.exec(line);
    if (!match || line.startsWith('\t')) continue;
    for (const name of match[1].trim().split(/\s+/)) if (!name.startsWith('.')) names.add(name);
  }
  return names;
}

/** The user's Makefile with our block replaced in place, or appended after their lines. */
export function mergeMakefile(existing: string, block: string): string {
  const { before, block: old, after } = splitMakefile(existing);
  if (old !== undefined) return before + block + after;
  const separator = existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return existing + separator + block;
}
