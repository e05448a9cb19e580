// The Yeoman side of both generators: options from the settings table, questions through Yeoman's adapter,
// files through its editor (and conflicter), then git, .venv and next steps. The flow itself is lib/run/session.ts.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Generator from 'yeoman-generator';
import { TerminalAdapter } from '@yeoman/adapter';
import { afterWrite } from './after-write.js';
import { RUN_FLAGS } from './cli-args.js';
import { questionsFor } from '../answers/prompts.js';
import { filesToWrite, planReport, prepare, type Disk, type GeneratorKind, type Prepared } from './session.js';
import { TEMPLATES_DIR } from '../repository/render.js';
import { SETTINGS, type PartialAnswers } from '../answers/settings.js';

type Options = Record<string, unknown>;

const camelCase = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Options Yeoman declares itself (force, dry-run, skip-install) or that the bin alone handles (help, version). */
const YEOMAN_OWN = new Set(['help', 'version', 'force', 'dry-run', 'skip-install']);

export abstract class ChaliceGenerator extends Generator {
  protected abstract readonly kind: GeneratorKind;
  private prepared?: Prepared;
  private startedIn = '';

  constructor(args: string[], options: Options, features?: Options) {
    // customInstallTask: we install nothing with npm, so Yeoman's package.json notice is noise.
    // inheritTasks: the app and pipeline generators inherit their tasks from this class.
    super(args, options as never, { ...features, customInstallTask: true, inheritTasks: true } as never);
    for (const [flag, { type, description }] of Object.entries(RUN_FLAGS)) {
      if (!YEOMAN_OWN.has(flag)) {
        this.option(flag, { type: type === 'string' ? String : Boolean, description });
      }
    }
    for (const setting of SETTINGS) {
      this.option(setting.flag, { type: setting.kind === 'boolean' ? Boolean : String, description: setting.description });
    }
    this.sourceRoot(TEMPLATES_DIR);
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
      const value = this.optionValue(setting.flag);
      if (value !== undefined) flags[setting.key] = value as string | boolean;
    }
    return flags;
  }

  /** A real terminal adapter without a terminal cannot ask: treat the run as non-interactive (never hang). */
  private nonInteractive(): boolean {
    if (this.optionValue('answers') || this.switchOn('defaults')) return true;
    return !process.stdin.isTTY && this.env.adapter instanceof TerminalAdapter;
  }

  private disk(): Disk {
    return {
      exists: (path) => this.fs.exists(path),
      read: (path) => (this.fs.exists(path) ? this.fs.read(path) ?? undefined : undefined),
      // Files given to yeoman-test live only in the editor's memory, so list both.
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
    };
  }

  async prompting(): Promise<void> {
    this.startedIn = this.destinationRoot();
    this.prepared = await prepare(
      {
        kind: this.kind, cwd: this.startedIn, flags: this.flags(), answersFile: this.optionValue('answers') as string | undefined,
        nonInteractive: this.nonInteractive(), force: this.switchOn('force'), env: process.env,
      },
      this.disk(),
      async (resolution, context) => (await this.prompt(questionsFor(resolution, context) as never)) as PartialAnswers,
    );
    this.destinationRoot(this.prepared.destination);
    for (const line of planReport(this.prepared, this.startedIn, { listFiles: this.switchOn('dry-run') })) this.log(line);
  }

  writing(): void {
    const { plan, destination } = this.prepared!;
    if (this.switchOn('dry-run')) return;
    const force = this.switchOn('force');
    // Conflicts reach this point only in a terminal: Yeoman's conflicter asks about each of them.
    const files = [...filesToWrite(plan, force), ...plan.files.filter((f) => f.action === 'conflict' && !force)];
    for (const file of files) {
      const path = join(destination, file.path);
      this.fs.write(path, file.contents);
      // Our own earlier output and merges that keep every user line are safe: no question for them.
      if (file.action === 'update') (this.fs.store.get(path) as { conflicter?: string }).conflicter = 'force';
    }
  }

  end(): void {
    if (this.switchOn('dry-run')) return;
    const lines = afterWrite(this.prepared!, {
      skipGit: this.switchOn('skip-git'), skipInstall: this.switchOn('skip-install'),
      cwd: this.startedIn, env: process.env,
    });
    for (const line of lines) this.log(line);
  }
}
