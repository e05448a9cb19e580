// Bad input: one table row per mistake, run in-process through lib/run/cli.ts (the bin's code, no terminal), and a
// marked subset through the spawned bin as a user runs it (stdin closed). Every row must end with
// the documented exit code, a one-line message naming the key, the value and the rule, no stack trace, and the
// folder exactly as it was (no .yo-rc.json, no half-made <appName>/ folder).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from '../lib/run/cli.js';
import { branchRule } from '../lib/answers/rules.js';
import { BIN, CONNECTION_ARN, EXAMPLE_ANSWERS, readTree, runCli, tempDir } from './support/tools.js';
import { snapshot, unprivilegedUser } from './support/disk.js';

interface Row {
  name: string;
  args: string[];
  /** Files to create first (relative path -> contents); a path ending in "/" is an empty folder. */
  files?: Record<string, string>;
  /** A file made unreadable (chmod 000) after it is written; the row runs the spawned bin as a user root is not. */
  unreadable?: string;
  env?: Record<string, string>;
  exit: number;
  /** What stderr must say (the key, the value, the rule, the way out). */
  stderr: RegExp;
  /** Something stderr must not say (a repeated or misleading follow-up error). */
  notStderr?: RegExp;
  /** Exact number of error lines, when one mistake must give one message. */
  errors?: number;
  /** For branch rows: whether `git check-ref-format --branch` accepts the name (we must refuse it either way). */
  gitAccepts?: boolean;
}

const APP = ['--app-name', 'orders'];
const GITHUB = [...APP, '--source', 'github', '--repository', 'acme/orders'];
const UUID = '12345678-abcd-4321-abcd-1234567890ab';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** stderr line `error: <key> <value as JSON> is invalid: <rule>`. */
function invalid(key: string, value: string | number, rule: RegExp | string): RegExp {
  const ruleSource = typeof rule === 'string' ? escape(rule) : rule.source;
  return new RegExp(`^error: ${key} ${escape(JSON.stringify(value))} is invalid: .*${ruleSource}`, 'm');
}

const APP_RULE = /must start with a letter, contain only letters, digits and "-", not end with "-", and be at most 60 characters/;
const BRANCH_RULE = /must be a valid git branch name \(git check-ref-format\)/;
const EMAIL_RULE = /must be an e-mail address such as team@example\.com/;
const ARN_RULE = /must be a CodeConnections ARN: arn:aws:codeconnections:<region>:<12-digit account>:connection\/<uuid>/;
const PYTHON_RULE = /must be one of 3\.10, 3\.11, 3\.12, 3\.13, 3\.14/;
const IMAGE_RULE = /must be a curated CodeBuild image that provides Python through runtime-versions/;

const appNameRows: Row[] = [
  ['with an underscore', 'my_app'],
  ['with a leading digit', '1orders'],
  ['with spaces', 'my orders'],
  ['61 characters long (one more than chalice deploy can name)', 'a'.repeat(61)],
  ['with a trailing hyphen', 'orders-'],
  ['with a double quote', 'ord"ers'],
  ['with $(whoami)', '$(whoami)'],
  ['with a backtick', 'ord`id`ers'],
  ['with a newline', 'orders\nrm -rf'],
  ['with a semicolon', 'orders;ls'],
  ['with a dot', 'orders.v2'],
  ['with a slash', '../orders'],
  ['non-ASCII', 'bestellungen-ä'],
].map(([label, value]) => ({
  name: `appName ${label}`, args: ['--app-name', value], exit: 2, stderr: invalid('appName', value, APP_RULE), errors: 1,
}));

const branchRows: Row[] = [
  ...['feature..x', '-x', 'x/', 'x.lock', 'a//b', '@{x}', 'x y', 'x~1', 'x^', 'x:y', '.hidden', 'x.', '/x', 'a/.b', 'a.lock/b', 'x?', 'x*', 'x[1]', 'a\\b', 'HEAD', 'a\nb', 'a\tb']
    .map((value) => ({ value, gitAccepts: false })),
  // Valid for git, refused by us: they would break the Makefile, the buildspec or a shell.
  ...['$(id)', 'a"b', 'a`id`', "a'b", 'a;b', 'a$b', 'a#b', 'a&b'].map((value) => ({ value, gitAccepts: true })),
].map(({ value, gitAccepts }) => ({
  // --branch=VALUE, so a value starting with "-" is not read as a flag.
  name: `branch ${JSON.stringify(value)}`, args: [...APP, `--branch=${value}`], exit: 2,
  stderr: invalid('branch', value, BRANCH_RULE), errors: 1, gitAccepts,
}));

const emailRows: Row[] = ['no-at', 'a@b', 'a@@b.com', 'a b@c.com', '"x"@y.com', 'a..b@c.com', '.a@c.com', 'a.@c.com', 'a@-c.com', 'a@c.123', 'a@c.com\nBcc: x@y.com']
  .map((value): Row => ({ name: `approvalEmail ${JSON.stringify(value)}`, args: [...APP, '--approval-email', value], exit: 2, stderr: invalid('approvalEmail', value, EMAIL_RULE), errors: 1 }))
  .concat({
    // Well formed, but 255 characters: one more than an e-mail address may have (the message shortens the value).
    name: 'approvalEmail of 255 characters', args: [...APP, '--approval-email', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`],
    exit: 2, stderr: new RegExp(`^error: approvalEmail "a{64}@b{63}\\.c{63}\\.d+\\.\\.\\. is invalid: ${EMAIL_RULE.source}`, 'm'), errors: 1,
  });

const repositoryRows: Row[] = [
  ['github', 'justrepo'], ['github', 'a/b/c'], ['github', 'o/r/'], ['github', '/o/r'], ['github', 'o//r'], ['github', 'o/r r'],
  ['github', '../..'], ['bitbucket', 'justrepo'], ['gitlab', 'group/'], ['codecommit', 'acme/orders'], ['codecommit', 'orders.git'],
  ['codecommit', 'a'.repeat(101)], ['codecommit', '..'],
].map(([source, value]) => ({
  name: `repository ${JSON.stringify(value.length > 20 ? `${value.slice(0, 8)}...` : value)} for ${source}`,
  args: [...APP, '--source', source, '--repository', value], exit: 2,
  stderr: invalid('repository', value, source === 'codecommit' ? 'must be a CodeCommit repository name' : `must be "owner/repo"`), errors: 1,
}));

const arnRows: Row[] = [
  ['the wrong service', `arn:aws:codebuild:us-east-1:123456789012:connection/${UUID}`],
  ['a short account', `arn:aws:codeconnections:us-east-1:12345678901:connection/${UUID}`],
  ['no uuid', 'arn:aws:codeconnections:us-east-1:123456789012:connection/'],
  ['codestar (not codestar-connections)', `arn:aws:codestar:us-east-1:123456789012:connection/${UUID}`],
  ['no region', `arn:aws:codeconnections::123456789012:connection/${UUID}`],
  ['a trailing space', `${CONNECTION_ARN} `],
  ['upper-case uuid', `arn:aws:codeconnections:us-east-1:123456789012:connection/${UUID.toUpperCase()}`],
].map(([label, value]) => ({ name: `connectionArn with ${label}`, args: [...GITHUB, '--connection-arn', value], exit: 2, stderr: invalid('connectionArn', value, ARN_RULE), errors: 1 }));

const fileRows: Row[] = [
  { name: 'answers file missing', args: ['--answers', 'nope.json'], exit: 2, stderr: /^error: --answers .*nope\.json: no such file$/m },
  { name: 'answers file is a directory', args: ['--answers', 'answers.json'], files: { 'answers.json/': '' }, exit: 2, stderr: /^error: --answers .*answers\.json: is a directory$/m },
  {
    name: 'answers file unreadable (chmod 000)', args: ['--answers', 'answers.json', '--dry-run'],
    files: { 'answers.json': '{"appName": "orders"}\n' }, unreadable: 'answers.json', exit: 2,
    stderr: /^error: --answers .*answers\.json: cannot be read \(EACCES\)$/m,
  },
  { name: 'answers file empty', args: ['--answers', 'answers.json'], files: { 'answers.json': '\n' }, exit: 2, stderr: /answers\.json: is empty/ },
  {
    name: 'answers file invalid JSON (line and column)', args: ['--answers', 'answers.json'],
    files: { 'answers.json': '{\n  "appName": "orders",\n}\n' }, exit: 2, stderr: /answers\.json: not valid JSON at line 3, column 1: .*use \.yml\/\.yaml for YAML/,
  },
  {
    name: 'answers file is YAML named .json', args: ['--answers', 'answers.json'],
    files: { 'answers.json': 'appName: orders\n' }, exit: 2, stderr: /answers\.json: not valid JSON at line 1, column 1/,
  },
  {
    name: 'answers file invalid YAML (line and column)', args: ['--answers', 'answers.yml'],
    files: { 'answers.yml': 'appName: orders\nregion: [eu-west-1\nbranch: main\n' }, exit: 2, stderr: /answers\.yml: not valid YAML at line \d+, column \d+: \S/,
  },
  {
    name: 'answers file YAML with a duplicate key', args: ['--answers', 'answers.yaml'],
    files: { 'answers.yaml': 'appName: orders\nappName: shop\n' }, exit: 2, stderr: /answers\.yaml: not valid YAML at line 2, column 1: Map keys must be unique$/m,
  },
  {
    name: 'answers file YAML with an unresolved alias', args: ['--answers', 'answers.yml'],
    files: { 'answers.yml': 'appName: *name\n' }, exit: 2, stderr: /answers\.yml: not valid YAML/,
  },
  { name: 'answers file is a list', args: ['--answers', 'answers.json'], files: { 'answers.json': '[{"appName": "orders"}]' }, exit: 2, stderr: /answers\.json: must be an object of answers .*not a list/ },
  { name: 'answers file is a string', args: ['--answers', 'answers.json'], files: { 'answers.json': '"orders"' }, exit: 2, stderr: /answers\.json: must be an object of answers .*not a string/ },
  { name: 'answers file is null', args: ['--answers', 'answers.json'], files: { 'answers.json': 'null' }, exit: 2, stderr: /answers\.json: must be an object of answers .*not null/ },
  { name: 'answers file YAML scalar', args: ['--answers', 'answers.yml'], files: { 'answers.yml': 'orders\n' }, exit: 2, stderr: /answers\.yml: must be an object of answers .*not a string/ },
  {
    name: 'answers file with an unknown key (close match)', args: ['--answers', 'answers.json'],
    files: { 'answers.json': '{"appname": "orders"}' }, exit: 2, stderr: /answers\.json: unknown key "appname" \(did you mean "appName"\?\)/,
  },
  {
    name: 'answers file with a snake_case key', args: ['--answers', 'answers.yml'],
    files: { 'answers.yml': 'app_name: orders\npython_version: "3.13"\n' }, exit: 2,
    stderr: /unknown key "app_name" \(did you mean "appName"\?\)[^\n]*\n.*unknown key "python_version" \(did you mean "pythonVersion"\?\)/,
  },
  {
    name: 'answers file with a far-off unknown key', args: ['--answers', 'answers.json'],
    files: { 'answers.json': '{"appName": "orders", "colour": "blue"}' }, exit: 2, stderr: /unknown key "colour"; known keys: appName, /, notStderr: /did you mean/,
  },
  {
    name: 'answers file with a __proto__ key', args: ['--answers', 'answers.json'],
    files: { 'answers.json': '{"__proto__": {"appName": "orders"}}' }, exit: 2, stderr: /answers\.json: unknown key "__proto__"/, errors: 1,
  },
  { name: 'answers from /dev/stdin with stdin closed (never waits)', args: ['--answers', '/dev/stdin'], exit: 2, stderr: /--answers \/dev\/stdin: is empty/ },
  {
    name: 'answers file unitTests "yes"', args: ['--answers', 'answers.json'],
    files: { 'answers.json': '{"appName": "orders", "unitTests": "yes"}' }, exit: 2, stderr: /answers\.json: unitTests "yes" has the wrong type: must be true or false/,
  },
  {
    name: 'answers file YAML pythonVersion: 3.10 (the number 3.1)', args: ['--answers', 'answers.yml'],
    files: { 'answers.yml': 'appName: orders\npythonVersion: 3.10\n' }, exit: 2,
    stderr: /answers\.yml: pythonVersion 3\.1 has the wrong type: must be a string \(quote it: in YAML 3\.10 is the number 3\.1\)/,
  },
  {
    name: 'answers file appName a number', args: ['--answers', 'answers.yml'],
    files: { 'answers.yml': 'appName: 2024\n' }, exit: 2, stderr: /appName 2024 has the wrong type: must be a string \(quote it: YAML read it as a number\)/,
  },
  {
    name: 'answers file YAML key without value (null)', args: ['--answers', 'answers.yml'],
    files: { 'answers.yml': 'appName: orders\napprovalEmail:\n' }, exit: 2, stderr: /approvalEmail null has the wrong type: must be a string \(leave the key out to take the default\)/,
  },
  {
    name: 'answers file production "false" (a string)', args: ['--answers', 'answers.json'],
    files: { 'answers.json': '{"appName": "orders", "production": "false"}' }, exit: 2, stderr: /production "false" has the wrong type: must be true or false/,
  },
  {
    name: 'answers file with a list value', args: ['--answers', 'answers.json'],
    files: { 'answers.json': '{"appName": ["orders"]}' }, exit: 2, stderr: /appName \["orders"\] has the wrong type: must be a string/,
  },
  {
    name: 'answers file with an invalid value', args: ['--answers', 'answers.json'],
    files: { 'answers.json': '{"appName": "orders", "region": "eu-west-9"}' }, exit: 2, stderr: invalid('region', 'eu-west-9', 'must be an AWS region code'), errors: 1,
  },
  { name: '--answers with an empty file name', args: ['--answers=', ...APP], exit: 2, stderr: /^error: --answers needs a file name/m },
  {
    name: '.yo-rc.json with an invalid saved answer', args: ['--dry-run'], exit: 2,
    files: { '.yo-rc.json': '{"generator-chalice-pipeline": {"appName": "orders", "region": "mars-1"}}' },
    stderr: /^error: region "mars-1" is invalid: .*\(saved in \.yo-rc\.json; give --region to replace it\)$/m,
  },
  {
    name: '.yo-rc.json with an unknown saved key', args: ['--dry-run'], exit: 2,
    files: { '.yo-rc.json': '{"generator-chalice-pipeline": {"appName": "orders", "regoin": "eu-west-1"}}' },
    stderr: /^error: \.yo-rc\.json: unknown key "regoin" \(did you mean "region"\?\)/m,
  },
  {
    name: '.yo-rc.json that is not JSON', args: [...APP], files: { '.yo-rc.json': '{"generator-chalice-pipeline": ' }, exit: 2,
    stderr: /^error: .*\.yo-rc\.json.*not valid JSON/m,
  },
];

const valueRows: Row[] = [
  { name: 'appName empty', args: ['--app-name='], exit: 2, stderr: invalid('appName', '', APP_RULE), errors: 1 },
  { name: 'appName 5000 characters (message shortened)', args: ['--app-name', 'a'.repeat(5000)], exit: 2, stderr: /^error: appName "a{190,199}\.\.\. is invalid: /m, errors: 1 },
  ...['3.9', '3.15', '3', 'latest', '3.13.1', ' 3.13'].map((value) => ({
    name: `pythonVersion ${JSON.stringify(value)}`, args: [...APP, '--python-version', value], exit: 2,
    // One message: the build image is not blamed for a Python version that does not exist.
    stderr: invalid('pythonVersion', value, PYTHON_RULE), notStderr: /codebuildImage/, errors: 1,
  })),
  { name: 'region us-east-9', args: [...APP, '--region', 'us-east-9'], exit: 2, stderr: invalid('region', 'us-east-9', 'must be an AWS region code such as us-east-1'), errors: 1 },
  { name: 'region US-EAST-1 (suggests lower case)', args: [...APP, '--region', 'US-EAST-1'], exit: 2, stderr: invalid('region', 'US-EAST-1', '(did you mean us-east-1?)'), errors: 1 },
  { name: 'region mars-1 (no suggestion)', args: [...APP, '--region', 'mars-1'], exit: 2, stderr: invalid('region', 'mars-1', /such as us-east-1$/), errors: 1 },
  { name: 'region us-est-1 (suggests us-east-1)', args: [...APP, '--region', 'us-est-1'], exit: 2, stderr: invalid('region', 'us-est-1', '(did you mean us-east-1?)'), errors: 1 },
  { name: 'region eu-wset-1 (suggests eu-west-1)', args: [...APP, '--region', 'eu-wset-1'], exit: 2, stderr: invalid('region', 'eu-wset-1', '(did you mean eu-west-1?)'), errors: 1 },
  {
    name: 'region from an invalid $AWS_REGION', args: APP, env: { AWS_REGION: 'moon-base-1' }, exit: 2,
    stderr: invalid('region', 'moon-base-1', /\(the default from \$AWS_REGION; give --region to replace it\)$/), errors: 1,
  },
  {
    name: 'region from an invalid $AWS_DEFAULT_REGION', args: APP, env: { AWS_DEFAULT_REGION: 'Frankfurt' }, exit: 2,
    stderr: invalid('region', 'Frankfurt', /\$AWS_DEFAULT_REGION/), errors: 1,
  },
  { name: 'pipelineStackName with a leading digit', args: [...APP, '--pipeline-stack-name', '1-pipeline'], exit: 2, stderr: invalid('pipelineStackName', '1-pipeline', 'as CloudFormation stack names do'), errors: 1 },
  { name: 'pipelineStackName 129 characters', args: [...APP, '--pipeline-stack-name', `p${'x'.repeat(128)}`], exit: 2, stderr: invalid('pipelineStackName', `p${'x'.repeat(128)}`, 'at most 128 characters'), errors: 1 },
  { name: 'codebuildImage aws/codebuild/python:3.7', args: [...APP, '--codebuild-image', 'aws/codebuild/python:3.7'], exit: 2, stderr: invalid('codebuildImage', 'aws/codebuild/python:3.7', IMAGE_RULE), errors: 1 },
  {
    name: 'codebuildImage retired amazonlinux2 3.0', args: [...APP, '--codebuild-image', 'aws/codebuild/amazonlinux2-x86_64-standard:3.0'], exit: 2,
    stderr: invalid('codebuildImage', 'aws/codebuild/amazonlinux2-x86_64-standard:3.0', 'is retired'), errors: 1,
  },
  { name: 'codebuildImage ubuntu:latest', args: [...APP, '--codebuild-image', 'ubuntu:latest'], exit: 2, stderr: invalid('codebuildImage', 'ubuntu:latest', IMAGE_RULE), errors: 1 },
  { name: 'pipelineType V3', args: [...APP, '--pipeline-type', 'V3'], exit: 2, stderr: invalid('pipelineType', 'V3', 'must be one of V1, V2'), errors: 1 },
  { name: 'pipelineType v2 (lower case)', args: [...APP, '--pipeline-type', 'v2'], exit: 2, stderr: invalid('pipelineType', 'v2', 'must be one of V1, V2'), errors: 1 },
  {
    // Only the source is wrong: no "missing answer: repository" follow-up.
    name: 'source svn', args: [...APP, '--source', 'svn'], exit: 2, stderr: invalid('source', 'svn', 'must be one of codecommit, github, gitlab, bitbucket'),
    notStderr: /repository/, errors: 1,
  },
  { name: 'github without repository', args: [...APP, '--source', 'github'], exit: 2, stderr: /^error: missing answer: repository \(give --repository,/m, errors: 1 },
  {
    // The derived defaults (repository, pipelineStackName) would repeat the same mistake.
    name: 'invalid appName reported once', args: ['--app-name', 'my app'], exit: 2, stderr: invalid('appName', 'my app', APP_RULE),
    notStderr: /^error: (repository|pipelineStackName)/m, errors: 1,
  },
];

const cliRows: Row[] = [
  { name: 'unknown flag with a suggestion', args: ['--app-nam', 'orders'], exit: 2, stderr: /^error: unknown option --app-nam \(did you mean --app-name\?\); see --help$/m, errors: 1 },
  { name: 'camelCase flag', args: ['--appName', 'orders'], exit: 2, stderr: /^error: unknown option --appName \(did you mean --app-name\?\)/m, errors: 1 },
  { name: 'unknown flag with a dot', args: ['--app.name', 'orders'], exit: 2, stderr: /^error: unknown option --app\.name/m, errors: 1 },
  { name: 'unknown short flag', args: ['-x'], exit: 2, stderr: /^error: unknown option -x; see --help$/m, errors: 1 },
  { name: 'unknown subcommand', args: ['deploy', ...APP], exit: 2, stderr: /^error: unknown command "deploy": use `chalice-pipeline \[app\|pipeline\] \[options\]`/m, errors: 1 },
  { name: 'mistyped subcommand', args: ['pipline', ...APP], exit: 2, stderr: /^error: unknown command "pipline" \(did you mean `chalice-pipeline pipeline`\?\)/m, errors: 1 },
  { name: 'extra positional', args: ['app', 'orders'], exit: 2, stderr: /^error: unknown command "app orders"/m, errors: 1 },
  { name: 'string flag without a value', args: ['--app-name'], exit: 2, stderr: /^error: --app-name needs a value; see --help$/m, errors: 1 },
  { name: 'string flag followed by a flag', args: ['--branch', '-x', ...APP], exit: 2, stderr: /^error: --branch needs a value; to give a value that starts with "-" write --branch=-VALUE/m, errors: 1 },
  { name: 'boolean flag with a value', args: [...APP, '--unit-tests=yes'], exit: 2, stderr: /^error: --unit-tests takes no value: write --unit-tests for true or --no-unit-tests for false/m, errors: 1 },
  {
    name: 'missing appName without a terminal', args: [], exit: 2, errors: 1,
    stderr: /^error: missing answer: appName \(give --app-name, an answers-file key "appName", or answer the prompt in a terminal\)$/m,
  },
  { name: 'missing appName with --defaults', args: ['--defaults'], exit: 2, stderr: /missing answer: appName \(give --app-name/, errors: 1 },
  {
    name: 'missing appName in an answers file', args: ['--answers', 'answers.json'], files: { 'answers.json': '{"region": "eu-west-1"}' },
    exit: 2, stderr: /missing answer: appName/, errors: 1,
  },
  {
    name: 'target folder exists and is not empty', args: APP, files: { 'orders/notes.txt': 'my notes\n' }, exit: 3,
    stderr: /^error: orders\/ exists and is not empty \(notes\.txt\): .*pass --force/m, errors: 1,
  },
  {
    name: 'target folder holds a stranger\'s app.py', args: APP, files: { 'orders/app.py': 'print("mine")\n' }, exit: 3,
    stderr: /orders\/ exists and is not empty \(app\.py\).*--force/,
  },
  {
    name: 'target path is a file', args: APP, files: { orders: 'not a folder\n' }, exit: 3, stderr: /orders.*(not a folder|exists)/,
  },
];

const ROWS: Row[] = [...fileRows, ...cliRows, ...appNameRows, ...valueRows, ...branchRows, ...emailRows, ...repositoryRows, ...arnRows];

interface Spawned {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

const TIMEOUT_MS = 15_000;

/** Rows also run through the real process: stdin, exit-code and output plumbing that in-process runs cannot see. */
const SPAWNED = new Set([
  'answers from /dev/stdin with stdin closed (never waits)', 'missing appName without a terminal',
  'answers file invalid JSON (line and column)', 'unknown flag with a suggestion', '.yo-rc.json that is not JSON',
  'region us-est-1 (suggests us-east-1)', 'target path is a file',
]);

/** The bin's code in this process: same parsing, session and messages, without Node's ~0.1 s start-up per row. */
async function runInProcess(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Spawned> {
  const started = Date.now();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await cli(args, {
    cwd, env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', ...env }, interactive: false,
    out: (line) => stdout.push(`${line}\n`), err: (line) => stderr.push(`${line}\n`),
  });
  return { status, stdout: stdout.join(''), stderr: stderr.join(''), timedOut: false, ms: Date.now() - started };
}

/** runCli without blocking, so the rows can run side by side; same env and stdin as runCli. */
function runCliAsync(args: string[], cwd: string, env: Record<string, string> = {}, as: (command: string[]) => string[] = (command) => command): Promise<Spawned> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const [command, ...rest] = as([process.execPath, BIN, ...args]);
    const child = spawn(command!, rest, {
      cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

const STACK_TRACE = /^\s+at .+[:(]\d+:\d+\)?$|node:internal|\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/m;
const SKIP = ['--skip-install', '--skip-git'];
const folders: string[] = [];

function prepareFolder(row: Row): string {
  const cwd = tempDir('cp-bad-');
  folders.push(cwd);
  for (const [path, contents] of Object.entries(row.files ?? {})) {
    if (path.endsWith('/')) {
      mkdirSync(join(cwd, path), { recursive: true });
      continue;
    }
    mkdirSync(dirname(join(cwd, path)), { recursive: true });
    writeFileSync(join(cwd, path), contents);
  }
  if (row.unreadable) {
    // chmod 000 does not stop root: the folder goes to a user of the tests' own, who runs the bin.
    unprivilegedUser().own(cwd);
    chmodSync(join(cwd, row.unreadable), 0o000);
  }
  return cwd;
}

describe('bad input: exit code, one message per mistake, nothing written', { concurrency: 4 }, () => {
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      const cwd = prepareFolder(row);
      const before = snapshot(cwd);
      const result = row.unreadable
        ? await runCliAsync([...SKIP, ...row.args], cwd, { HOME: cwd, ...row.env }, unprivilegedUser().run)
        : await (SPAWNED.has(row.name) ? runCliAsync : runInProcess)([...SKIP, ...row.args], cwd, row.env);
      const shown = `exit ${result.status}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;

      assert.equal(result.timedOut, false, `did not return within ${TIMEOUT_MS} ms (waiting for input?)`);
      assert.doesNotMatch(result.stdout + result.stderr, STACK_TRACE, `a stack trace or crash:\n${shown}`);
      assert.ok(result.stderr.length < 2000, `stderr floods the terminal (${result.stderr.length} characters)`);
      assert.equal(result.status, row.exit, shown);
      assert.match(result.stderr, row.stderr, shown);
      if (row.notStderr) assert.doesNotMatch(result.stderr, row.notStderr, shown);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      for (const line of lines) assert.match(line, /^error: \S/, `every stderr line is one "error: ..." message:\n${shown}`);
      if (row.errors !== undefined) assert.equal(lines.length, row.errors, `expected ${row.errors} error line(s):\n${shown}`);
      assert.equal(result.stdout, '', 'nothing is planned or printed on stdout when the input is refused');
      assert.deepEqual(snapshot(cwd), before, 'the folder changed');

      if (row.gitAccepts !== undefined) {
        const value = row.args.find((arg) => arg.startsWith('--branch='))!.slice('--branch='.length);
        assert.notEqual(branchRule(value), undefined, `branchRule accepts ${JSON.stringify(value)}`);
        const git = spawnSync('git', ['check-ref-format', '--branch', value], { cwd, encoding: 'utf8' });
        assert.equal(git.error, undefined, 'git is needed to cross-check the branch rule');
        assert.equal(git.status === 0, row.gitAccepts, `git check-ref-format --branch ${JSON.stringify(value)} exited ${git.status}`);
      }
    });
  }
});

describe('bad input: the spawned subset', () => {
  it('names rows that exist', () => {
    const names = new Set(ROWS.map((row) => row.name));
    assert.deepEqual([...SPAWNED].filter((name) => !names.has(name)), []);
  });
});

describe('bad input: the ways out work', () => {
  it('--force writes into the non-empty folder and leaves the unrelated user file byte-identical', () => {
    const cwd = tempDir('cp-force-');
    folders.push(cwd);
    const notes = Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('my notes\r\nwith CRLF and no final newline')]);
    mkdirSync(join(cwd, 'orders'));
    writeFileSync(join(cwd, 'orders', 'notes.txt'), notes);
    chmodSync(join(cwd, 'orders', 'notes.txt'), 0o640);
    const refused = runCli(['--app-name', 'orders', ...SKIP], cwd);
    assert.equal(refused.status, 3, refused.stderr);

    const result = runCli(['--app-name', 'orders', '--force', ...SKIP], cwd);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, STACK_TRACE);
    assert.deepEqual(readFileSync(join(cwd, 'orders', 'notes.txt')), notes);
    assert.equal(statSync(join(cwd, 'orders', 'notes.txt')).mode & 0o777, 0o640);
    const tree = readTree(join(cwd, 'orders'));
    assert.ok(tree.has('.yo-rc.json') && tree.has('pipeline.json') && tree.has('app.py'), [...tree.keys()].join(', '));
  });

  it('the same answers that failed work once corrected (the rows fail for the reason they name)', () => {
    const cwd = tempDir('cp-fixed-');
    folders.push(cwd);
    const result = runCli(['--answers', EXAMPLE_ANSWERS, '--dry-run', ...SKIP], cwd);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /dry run: nothing was written/);
    assert.deepEqual(readdirSync(cwd), []);
  });

  it('git check-ref-format and branchRule agree on valid branch names', () => {
    for (const value of ['main', 'trunk', 'feature/x', 'release/1.2.3', 'a_b', 'a./b', 'v1.0-rc1', 'user/jo/fix-42', 'HEADS', 'a-']) {
      assert.equal(branchRule(value), undefined, `branchRule refuses ${value}`);
      const git = spawnSync('git', ['check-ref-format', '--branch', value], { encoding: 'utf8' });
      assert.equal(git.status, 0, `git refuses ${value}: ${git.stderr}`);
    }
  });
});
