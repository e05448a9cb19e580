// npm run bench [-- --runs N] [-- --vs "<command>"]: wall time and peak RSS of fresh-process generations through
// the bin (after a warm-up), the in-process render + check + write time, and the production install size. It guards
// the start-up budget: each bin case's median, as a multiple of Node's own start-up measured alongside (so the
// budget holds on a slower machine), must stay within the case's budget, else it exits 1 naming the case.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist', 'bin', 'chalice-pipeline.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, vs: { type: 'string' } } });
const RUNS = Number(values.runs);

interface Sample { ms: number; rssMb?: number }

/** One fresh process; peak RSS from /usr/bin/time when the machine has it. */
function timeCommand(command: string[], cwd: string): Sample {
  const args = TIME ? ['-f', '%M', ...command] : command;
  const start = process.hrtime.bigint();
  const result = spawnSync(TIME ?? command[0], TIME ? args : command.slice(1), { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed: ${result.stderr}`);
  const rss = TIME ? Number(result.stderr.trim().split('\n').at(-1)) / 1024 : undefined;
  return { ms, rssMb: rss };
}

interface Case {
  name: string;
  setUp: (dir: string) => void;
  command: string[];
  cwd: (dir: string) => string;
  /** At most this many times the median of `node -e 0` (Node's own start-up). */
  budget?: number;
}

const existingRepo = mkdtempSync(join(tmpdir(), 'bench-existing-'));
execFileSync(process.execPath, [BIN, '--app-name', 'existing', '--defaults', '--skip-install', '--skip-git'], { cwd: existingRepo });
for (const generated of ['pipeline.json', 'buildspec.yml', 'buildspec-integration.yml', 'Makefile', '.yo-rc.json', 'tests/integration']) {
  rmSync(join(existingRepo, 'existing', generated), { recursive: true });
}

const node = process.execPath;
// Budgets: 2026-11-30 medians were 1.4x (--help), 2.9x (a generation) and 3.8x (with git's four processes).
const CASES: Case[] = [
  { name: 'node itself (node -e 0)', setUp: () => {}, command: [node, '-e', '0'], cwd: (d) => d },
  { name: 'new app (git, no venv)', setUp: () => {}, command: [node, BIN, '--app-name', 'orders', '--defaults', '--skip-install'], cwd: (d) => d, budget: 4.5 },
  { name: 'new app (--skip-git)', setUp: () => {}, command: [node, BIN, '--app-name', 'orders', '--defaults', '--skip-install', '--skip-git'], cwd: (d) => d, budget: 3.5 },
  {
    name: 'pipeline on existing repo',
    setUp: (d) => cpSync(join(existingRepo, 'existing'), join(d, 'existing'), { recursive: true }),
    command: [node, BIN, 'pipeline', '--defaults', '--skip-install', '--skip-git'], cwd: (d) => join(d, 'existing'), budget: 3.5,
  },
  { name: '--help', setUp: () => {}, command: [node, BIN, '--help'], cwd: (d) => d, budget: 1.6 },
  // The same run through yeoman-environment, as `yo` runs generators: what the bin would cost without its fast path.
  {
    name: 'new app via yeoman-environment', setUp: () => {},
    command: ['env', 'CHALICE_PIPELINE_RUNTIME=yeoman', node, BIN, '--app-name', 'orders', '--defaults', '--skip-install', '--skip-git'], cwd: (d) => d,
  },
];
if (values.vs) {
  CASES.push({ name: `vs: ${values.vs}`, setUp: () => {}, command: ['sh', '-c', values.vs], cwd: (d) => d });
}

function sampleCase(c: Case): Sample {
  const dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
  try {
    c.setUp(dir);
    return timeCommand(c.command, c.cwd(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm-up (file cache), then the cases in alternation so background load hits them all alike.
for (const c of CASES) sampleCase(c);
const samples = new Map<string, Sample[]>(CASES.map((c) => [c.name, []]));
for (let run = 0; run < RUNS; run++) for (const c of CASES) samples.get(c.name)!.push(sampleCase(c));

interface InProcess { totalMs: number; writeMs: number; inPlaceMs: number }

/**
 * The in-process run of a new app, and the writer's share: the all-or-nothing transaction (staged, flushed to the
 * device, renamed) against writing the same files in place one after another without a flush (the former writer).
 */
async function inProcess(): Promise<InProcess> {
  const { prepare, filesToWrite } = await import('../lib/run/session.js');
  const { nodeDisk, writeToDisk } = await import('../lib/run/write.js');
  const totals: number[] = [];
  const writes: number[] = [];
  const inPlace: number[] = [];
  for (let run = 0; run < RUNS + 3; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-inproc-'));
    const start = process.hrtime.bigint();
    const prepared = await prepare({ kind: 'app', cwd: dir, flags: { appName: 'orders' }, nonInteractive: true, force: false, env: {} }, nodeDisk);
    const planned = process.hrtime.bigint();
    await writeToDisk(prepared.destination, filesToWrite(prepared.plan, false));
    const end = process.hrtime.bigint();
    totals.push(Number(end - start) / 1e6);
    writes.push(Number(end - planned) / 1e6);
    const plain = join(dir, 'in-place');
    const plainStart = process.hrtime.bigint();
    for (const file of filesToWrite(prepared.plan, false)) {
      mkdirSync(dirname(join(plain, file.path)), { recursive: true });
      writeFileSync(join(plain, file.path), file.contents);
    }
    inPlace.push(Number(process.hrtime.bigint() - plainStart) / 1e6);
    rmSync(dir, { recursive: true, force: true });
  }
  return { totalMs: median(totals.slice(3)), writeMs: median(writes.slice(3)), inPlaceMs: median(inPlace.slice(3)) };
}

function installSize(): { packages: number; mb: number } {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  const folders = [...new Set(out.split('\n').filter((line) => line.includes('node_modules')))];
  const size = (path: string): number => {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.size;
    return readdirSync(path).filter((name) => name !== 'node_modules').reduce((sum, name) => sum + size(join(path, name)), 0);
  };
  return { packages: folders.length, mb: folders.reduce((sum, folder) => sum + size(folder), 0) / 1024 / 1024 };
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits));
console.log(`node ${process.version}, ${availableParallelism()} cores, ${RUNS} runs per case after a warm-up`);
console.log('| case | median ms | min ms | max ms | peak RSS MB (max) | x node (budget) |');
console.log('|---|---|---|---|---|---|');
const nodeMs = median(samples.get(CASES[0].name)!.map((s) => s.ms));
const overBudget: string[] = [];
for (const c of CASES) {
  const ms = samples.get(c.name)!.map((s) => s.ms);
  const rss = samples.get(c.name)!.map((s) => s.rssMb ?? Number.NaN);
  const times = median(ms) / nodeMs;
  if (c.budget !== undefined && times > c.budget) overBudget.push(`${c.name}: ${times.toFixed(2)}x Node's start-up, over its budget of ${c.budget}x`);
  console.log(`| ${c.name} | ${fmt(median(ms))} | ${fmt(Math.min(...ms))} | ${fmt(Math.max(...ms))} | ${fmt(Math.max(...rss), 1)} | ${times.toFixed(2)}${c.budget ? ` (${c.budget})` : ''} |`);
}
if (values.vs) {
  const ours = median(samples.get(CASES[1].name)!.map((s) => s.ms));
  const theirs = median(samples.get(CASES.at(-1)!.name)!.map((s) => s.ms));
  console.log(`ratio (${values.vs}) / (new app): ${(theirs / ours).toFixed(2)}`);
}
const measured = await inProcess();
console.log(`in-process render + check + write (new app): ${fmt(measured.totalMs, 1)} ms median`);
console.log(`  of which the all-or-nothing writer: ${fmt(measured.writeMs, 1)} ms (in-place writes without a flush, the former writer: ${fmt(measured.inPlaceMs, 1)} ms)`);
const size = installSize();
console.log(`production install: ${size.packages} packages, ${size.mb.toFixed(1)} MB`);
rmSync(existingRepo, { recursive: true, force: true });
for (const line of overBudget) console.error(`over budget: ${line}`);
if (overBudget.length > 0) process.exitCode = 1;
