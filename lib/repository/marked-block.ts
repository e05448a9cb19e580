// A generated block inside a user's file (the Makefile targets, the README's pipeline section): found by its start
// and end markers, replaced in place on a re-run; everything outside the markers is the user's.
import { InputError } from '../answers/answers.js';

export interface Markers {
  file: string;
  start: string;
  end: string;
}

/** The text before our block, the block (markers and final newline included) and the text after it. */
export function splitBlock(text: string, markers: Markers): { before: string; block?: string; after: string } {
  const start = text.indexOf(markers.start);
  if (start === -1) return { before: text, after: '' };
  const endMarker = text.indexOf(markers.end, start);
  if (endMarker === -1) {
    throw new InputError([`${markers.file}: found "${markers.start}" without its end marker "${markers.end}"; restore the end marker (or remove the start marker) and run again`]);
  }
  const end = endMarker + markers.end.length + (text[endMarker + markers.end.length] === '\n' ? 1 : 0);
  return { before: text.slice(0, start), block: text.slice(start, end), after: text.slice(end) };
}

/** current with its block replaced by the block of rendered; undefined when current has no block of ours. */
export function replaceBlock(current: string, rendered: string, markers: Markers): string | undefined {
  const { before, block, after } = splitBlock(current, markers);
  return block === undefined ? undefined : before + (splitBlock(rendered, markers).block ?? '') + after;
}
