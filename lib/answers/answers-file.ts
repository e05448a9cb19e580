// The --answers file: read, parsed as JSON or YAML with the line and column of a syntax error, then checked.
import { readFileSync } from 'node:fs';
import { InputError, checkAnswersObject } from './answers.js';
import type { PartialAnswers } from './settings.js';

/** Read an answers file (JSON, or YAML for .yml/.yaml), with line and column on a syntax error. */
export async function readAnswersFile(path: string): Promise<PartialAnswers> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    throw new InputError([`--answers ${path}: ${reason}`]);
  }
  // Editors on Windows save a byte order mark, which JSON.parse refuses.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') throw new InputError([`--answers ${path}: is empty; it must hold an object of answers such as {"appName": "orders"}`]);
  return checkAnswersObject(await parseAnswersText(text, path), `--answers ${path}`);
}

async function parseAnswersText(text: string, path: string): Promise<unknown> {
  if (/\.ya?ml$/i.test(path)) {
    const { parse } = await import('yaml');
    try {
      return parse(text, { prettyErrors: true });
    } catch (error) {
      const { linePos, message } = error as { linePos?: { line: number; col: number }[]; message: string };
      const at = linePos?.[0] ? ` at line ${linePos[0].line}, column ${linePos[0].col}` : '';
      const reason = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new InputError([`--answers ${path}: not valid YAML${at}: ${reason}`]);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // Node 20 names no position for "Unexpected token" and quotes the text (newlines included): find it ourselves.
    const before = text.slice(0, jsonErrorOffset(text)).split('\n');
    const at = `line ${before.length}, column ${before.at(-1)!.length + 1}`;
    const reason = (error as Error).message
      .replace(/ in JSON at position \d+[\s\S]*$/, '')
      .replace(/, "[\s\S]*" is not valid JSON$/, '')
      .replace(/[\u0000-\u001f]/g, (char) => JSON.stringify(char).slice(1, -1));
    throw new InputError([`--answers ${path}: not valid JSON at ${at}: ${reason} (use .yml/.yaml for YAML)`]);
  }
}

/** Offset of the first JSON syntax error in text (text.length when it ends too early, or for valid JSON). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  /** Step over one character matching pattern, else fail there. */
  const expect = (pattern: RegExp) => (pattern.test(text[i] ?? '') ? i++ : fail());
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const char = text[i];
      if (char === '"') return void i++;
      if (char < ' ') fail();
      if (char !== '\\') {
        i++;
      } else if (text[i + 1] === 'u') {
        i += 2;
        for (let n = 0; n < 4; n++) expect(/[0-9a-fA-F]/);
      } else {
        i++;
        expect(/["\\/bfnrt]/);
      }
    }
    fail();
  };
  const value = (depth: number): void => {
    space();
    if (depth > 500) fail();
    const char = text[i];
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (char === '{') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        space();
        if (text[i] === close) return void i++;
        if (text[i] !== ',') fail();
        i++;
      }
    }
    if (char === '"') return string();
    const literal = ['true', 'false', 'null'].find((word) => word[0] === char);
    if (literal) {
      for (const letter of literal) expect(new RegExp(letter));
      return;
    }
    const digits = () => {
      expect(/[0-9]/);
      while (/[0-9]/.test(text[i] ?? '')) i++;
    };
    if (char === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  try {
    value(0);
    space();
    return i;
  } catch (offset) {
    return typeof offset === 'number' ? offset : text.length;
  }
}
