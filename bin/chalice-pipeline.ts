#!/usr/bin/env node
// chalice-pipeline [app|pipeline] [options]: the generators without a global `yo` (see lib/run/cli.ts).
import { cli } from '../lib/run/cli.js';
import { exitQuietlyOnSignals } from '../lib/run/write/signals.js';

exitQuietlyOnSignals();

process.exitCode = await cli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  interactive: Boolean(process.stdin.isTTY),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
