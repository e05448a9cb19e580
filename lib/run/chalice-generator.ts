// The Yeoman side of both generators: options from the settings table, questions through Yeoman's adapter,
// files planned and merged at writing time through the editor every generator of the run shares (so a parent's
// same-run edits survive), .yo-rc.json through this.config, .venv in the install phase, git and next steps at the
// end. The flow itself is lib/run/session.ts.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Generator from 'yeoman-generator';
import { finish, install, nothingWritten, type AfterWriteOptions } from './after-write.js';
import { spinWhile } from './venv.js';
import { generatorHelp, RUN_FLAGS, yoCommandLineProblems } from './cli-args.js';
import { askAll } from '../answers/prompts.js';
import { BIN_COMMANDS, BIN_ROUTE_OPTION, YO_COMMANDS, canAsk, type Commands } from './commands.js';
import {
  filesToWrite, forcedBackups, gather, planAt, planReport, type Disk, type Gathered, type GeneratorKind, type Prepared, type SessionOptions,
} from './session.js';
import { TEMPLATES_DIR } from '../repository/render.js';
import { YO_RC } from '../repository/plan.js';
import { CONFIG_KEY, InputError } from '../answers/answers.js';
import { SETTINGS, type PartialAnswers } from '../answers/settings.js';
import { loadFile } from 'mem-fs';
import { isFilePending } from 'mem-fs-editor/state';
import { interruptedRunIn, noteSeen, recoverInterruptedRun, refuseIfDisturbed, type Seen } from './write/transaction.js';
import { commitInOneTransaction, type CommittingEnvironment } from './write/yeoman-commit.js';
import { exitAsInterrupted, exitQuietlyOnSignals } from './write/signals.js';

type Options = Record<string, unknown>;

/** This process is `yo` (its bin, or its cli.js as the tests start it): its command line is the user's. */
const underYo = () => /(^|[\\/])yo$|[\\/]yo[\\/]lib[\\/]cli\.js$/.test(process.argv[1] ?? '');

const camelCase = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Options Yeoman declares itself (ask-answered, skip-install) or handles in the environment (force, dry-run). */
const YEOMAN_OWN = new Set(['help', 'version', 'force', 'dry-run', 'skip-install', 'ask-answered']);
/** Options Yeoman declares that do nothing here: hidden from --help. */
const YEOMAN_IGNORED = ['skip-cache', 'force-install'];

/** The status words for files we change: merged into the team's file, or our own file regenerated. */
const STATUS_COLOURS = { merge: '\u001B[33m', update: '\u001B[33m' } as const;

export abstract class ChaliceGenerator extends Generator {
  protected abstract readonly kind: GeneratorKind;
  private gathered?: Gathered;
  private prepared?: Prepared;
  private session?: SessionOptions;

  constructor(args: string[], options: Options, features?: Options) {
    // customInstallTask: we install nothing with npm, so Yeoman's package.json notice is noise.
    // inheritTasks: the app and pipeline generators inherit their tasks from this class.
    super(args, options as never, { ...features, customInstallTask: true, inheritTasks: true } as never);
    // customCommitTask: the shared editor's files are written in one all-or-nothing transaction; only the first
    // generator of a run provides it (the environment would otherwise say it found several).
    const composed = (this.env as unknown as { composedStore?: { findFeature(name: string): unknown[] } }).composedStore;
    if ((composed?.findFeature('customCommitTask').length ?? 0) === 0) this.setFeatures({ customCommitTask: async () => this.commit() } as never);
    exitQuietlyOnSignals();
    for (const [flag, { type, description }] of Object.entries(RUN_FLAGS)) {
      if (!YEOMAN_OWN.has(flag)) this.option(flag, { type: type === 'string' ? String : Boolean, description });
    }
    for (const setting of SETTINGS) {
      this.option(setting.flag, { type: setting.kind === 'boolean' ? Boolean : String, description: setting.description });
    }
    const declared = (this as unknown as { _options: Record<string, { hide?: boolean }> })._options;
    for (const name of YEOMAN_IGNORED) if (declared[name]) declared[name].hide = true;
    this.sourceRoot(TEMPLATES_DIR);
  }

  /** `--help` under yo and yeoman-environment: the same text as the bin's, with this generator's command. */
  override help(): string {
    return generatorHelp(this.kind, this.commands());
  }

  private commands(): Commands {
    return (this.options as Options)[BIN_ROUTE_OPTION] ? BIN_COMMANDS : YO_COMMANDS;
  }

  /** An option as given on the command line (kebab-case) or by a caller such as yeoman-test (camelCase). */
  private optionValue(flag: string): unknown {
    const options = this.options as Options;
    return options[flag] ?? options[camelCase(flag)];
  }

  /** A run switch (force, skip-install, ...): Yeoman itself may set the kebab-case form to false. */
  private switchOn(flag: string): boolean {
    const options = this.options as Options;
    return Boolean(options[flag]) || Boolean(options[camelCase(flag)]);
  }

  private flags(): PartialAnswers {
    const flags: PartialAnswers = {};
    for (const setting of SETTINGS) {
      let value = this.optionValue(setting.flag);
      // yo's parser turns 3.13 into a number; a string answer is the text as typed.
      if (typeof value === 'number' && setting.kind !== 'boolean') value = String(value);
      if (value !== undefined) flags[setting.key] = value as string | boolean;
    }
    return flags;
  }

  /** The input questions would be read from: a terminal adapter's stdin, or a scripted adapter (yeoman-test). */
  private adapterInput(): { isTTY?: boolean } | 'scripted' {
    const adapter = this.env.adapter as unknown as { actualAdapter?: { stdin?: { isTTY?: boolean } }; stdin?: { isTTY?: boolean } };
    const actual = adapter.actualAdapter ?? adapter;
    return 'stdin' in actual ? actual.stdin ?? {} : 'scripted';
  }

  /** What this run read from disk (not from another generator's same-run edits): checked again at commit. */
  private readonly seen: Seen = new Map();

  private see(path: string, value: string | null | 'exists'): void {
    try {
      if (!isFilePending(this.fs.store.get(path))) noteSeen(this.seen, path, value);
    } catch {
      // A path through a file (ENOTDIR): nothing there to see; the writer names it.
    }
  }

  private disk(): Disk {
    return {
      exists: (path) => {
        const found = this.inEditor(path);
        this.see(path, found ? 'exists' : null);
        return found;
      },
      read: (path) => {
        const text = this.inEditor(path) ? this.fs.read(path) ?? undefined : undefined;
        this.see(path, text ?? null);
        return text;
      },
      // Files given to yeoman-test or written by another generator of the run live only in the editor: list both.
      list: (folder) => {
        let names: string[] = [];
        try {
          names = readdirSync(folder);
        } catch {
          names = [];
        }
        const inMemory = this.fs.store.all().filter((file) => dirname(file.path) === folder && file.contents !== null).map((file) => file.basename);
        return [...new Set([...names, ...inMemory])];
      },
      settled: (root, takeOver) => refuseIfDisturbed(root, this.seen, takeOver),
      recover: (folder, takeOver) => {
        if (this.switchOn('dry-run')) return interruptedRunIn(folder, takeOver);
        const undone = recoverInterruptedRun(folder, takeOver);
        // The editor may hold a copy it read before the files were put back: read them again.
        if (undone) for (const file of this.fs.store.all()) if (file.path.startsWith(folder) && !isFilePending(file)) this.fs.store.add(loadFile(file.path) as never);
        return undone;
      },
    };
  }

  /** A file in the editor (or on disk); a path through a file (ENOTDIR) holds none: the writer then names it. */
  private inEditor(path: string): boolean {
    try {
      return this.fs.exists(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw error;
    }
  }

  /** Yeoman's commit through one transaction (lib/run/write/yeoman-commit.ts). */
  private async commit(): Promise<void> {
    await commitInOneTransaction(this.env as unknown as CommittingEnvironment, this.destinationRoot(), this.contextRoot, this.seen);
    // A later commit of the same run (a composed generator's end-phase files) finds our own writes: nothing to check.
    this.seen.clear();
  }

  initializing(): void {
    // yo accepts any flag and passes it on: a typo would be ignored silently (exit 0 with the default). Refused
    // here as the bin refuses it (exit 2, "did you mean"); arguments (`yo chalice-pipeline pipline`) likewise.
    const declared = Object.keys((this as unknown as { _options: Record<string, unknown> })._options);
    const booleans = new Set([...SETTINGS.filter((s) => s.kind === 'boolean').map((s) => s.flag), ...Object.entries(RUN_FLAGS).filter(([, f]) => f.type === 'boolean').map(([flag]) => flag)]);
    const problems = yoCommandLineProblems(underYo() ? process.argv.slice(2) : [], (this as unknown as { args?: string[] }).args ?? [], declared, booleans, this.commands());
    if (problems.length > 0) throw new InputError(problems);
    const interactive = canAsk({ answers: this.optionValue('answers'), defaults: this.switchOn('defaults') }, this.adapterInput());
    this.session = {
      kind: this.kind, cwd: this.destinationRoot(), flags: this.flags(), answersFile: this.optionValue('answers') as string | undefined,
      nonInteractive: !interactive, askAnswered: this.switchOn('ask-answered'), force: this.switchOn('force'), env: process.env,
      commands: this.commands(),
    };
  }

  /** The answers only: the files are read and planned at writing time, when every generator has had its say. */
  async prompting(): Promise<void> {
    this.gathered = await gather(this.session!, this.disk(), async (resolution, context) => {
      try {
        return await askAll(async (questions) => (await this.prompt(questions as never)) as PartialAnswers, resolution, context);
      } catch (error) {
        // Nothing is written yet: a new line after the question, then the shell's code for Ctrl-C.
        if ((error as Error).name === 'ExitPromptError') {
          process.stdout.write('\n');
          exitAsInterrupted();
        }
        throw error;
      }
    });
  }

  writing(): void {
    const dryRun = this.switchOn('dry-run');
    // Planned now, through the shared editor: a parent's same-run edits to .gitignore, .yo-rc.json, ... are merged.
    const prepared = planAt(this.gathered!, this.session!, this.disk());
    this.prepared = prepared;
    const read = (path: string) => (this.inEditor(path) ? this.fs.read(path) ?? undefined : undefined);
    for (const line of planReport(prepared, this.contextRoot, read, { listFiles: dryRun, diff: this.switchOn('diff') })) this.log(line);
    // No folder is created on a dry run (moving destinationRoot creates it).
    if (dryRun) return;
    this.destinationRoot(prepared.destination);
    this.addStatusWords();
    const force = this.session!.force;
    // What --force overwrites is copied first (read before the editor holds our versions).
    const backups = forcedBackups(prepared, force, (path) => (this.inEditor(path) ? this.fs.read(path) ?? undefined : undefined));
    for (const backup of backups.changes) this.fs.write(join(prepared.destination, backup.path), backup.contents);
    if (backups.line) this.log(backups.line);
    // Conflicts reach this point only in a terminal: Yeoman's conflicter asks about each of them.
    const files = [...filesToWrite(prepared.plan, force), ...prepared.plan.files.filter((f) => f.action === 'conflict' && !force)];
    for (const file of files.filter((f) => f.path !== YO_RC)) {
      const path = join(prepared.destination, file.path);
      this.fs.write(path, file.contents);
      // Merges that keep every line of the team's file, and our own earlier output: written without a question.
      if (file.action === 'update') (this.fs.store.get(path) as { conflicter?: string }).conflicter = file.mode === 'merged' ? 'merge' : 'update';
    }
    this.saveConfig(prepared);
  }

  /** Our section of .yo-rc.json through this.config: other generators' sections (and same-run edits) stay. */
  private saveConfig(prepared: Prepared): void {
    const yoRc = prepared.plan.files.find((file) => file.path === YO_RC)!;
    if (yoRc.action === 'identical') return;
    const ours = (JSON.parse(yoRc.contents) as Record<string, Record<string, unknown>>)[CONFIG_KEY]!;
    // Rewritten whole, so the keys keep the planned order (the bin's): set() alone appends new keys at the end.
    for (const key of Object.keys(this.config.getAll())) this.config.delete(key);
    this.config.set(ours);
  }

  /** `merge` and `update` in Yeoman's file list, in its format (it knows only create/force/identical/...). */
  private addStatusWords(): void {
    const log = this.env.adapter.log as unknown as Record<string, unknown> & { write(text: string): unknown };
    for (const [status, colour] of Object.entries(STATUS_COLOURS)) {
      // Coloured as Yeoman's own words, only where colours are shown.
      const coloured = process.stdout.isTTY && !process.env.NO_COLOR && process.env.FORCE_COLOR !== '0';
      log[status] ??= function (this: typeof log, path: string) {
        const word = status.padStart('identical'.length);
        this.write(`${coloured ? `${colour}${word}\u001B[39m` : word} ${path}\n`);
        return this;
      };
    }
  }

  private afterWriteOptions(): AfterWriteOptions {
    // Next steps are relative to the folder the user ran the command in (a parent may have moved ours).
    return { skipGit: this.switchOn('skip-git'), skipInstall: this.switchOn('skip-install'), cwd: this.contextRoot, env: process.env };
  }

  /** The command that finishes .venv when the install failed (said again in the next steps). */
  private venvToFinish?: string;

  async install(): Promise<void> {
    if (this.switchOn('dry-run')) return;
    const adapter = this.env.adapter as unknown as { onIdle?: () => Promise<void> };
    const outcome = await install(this.prepared!, this.afterWriteOptions(), {
      say: (line) => this.log(line),
      progress: async (heading, step) => {
        // The adapter's log is queued: let it drain, so the heading follows the lines before it.
        await adapter.onIdle?.();
        return spinWhile(heading, step, process.stderr, process.env);
      },
    });
    this.venvToFinish = outcome.finish;
    for (const line of outcome.lines) this.log(line);
  }

  end(): void {
    if (this.switchOn('dry-run')) return;
    const nothing = nothingWritten(this.prepared!);
    if (nothing) {
      this.log(nothing);
      return;
    }
    for (const line of finish(this.prepared!, this.afterWriteOptions(), this.venvToFinish)) this.log(line);
  }
}

