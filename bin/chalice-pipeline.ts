#!/usr/bin/env node
// chalice-pipeline [app|pipeline] [options]: the generators without a global `yo` (see lib/run/cli.ts).
import { exitQuietlyOnSignals } from '../lib/run/write/signals.js';

// Before the rest loads: Ctrl-C during start-up is as quiet as later.
exitQuietlyOnSignals();
const { cli } = await import('../lib/run/cli.js');

process.exitCode = await cli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  interactive: Boolean(process.stdin.isTTY),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
