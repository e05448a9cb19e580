// Random text against every free-text answer, in-process (no spawning): the validation layer either refuses it with
// an InputError naming the key, or every generated file still parses, the value sits only inside JSON/YAML strings and
// changes no structure, and wherever it reaches a Makefile, buildspec or shell it is made of inert characters only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { CONFIG_KEY, InputError, checkAnswersObject, finishAnswers, mergeAnswers } from '../lib/answers/answers.js';
import { jsonErrorOffset } from '../lib/answers/answers-file.js';
import { REGIONS } from '../lib/facts/aws.js';
import { planFiles } from '../lib/repository/plan.js';
import { describeProject } from '../lib/answers/project.js';
import { branchRule } from '../lib/answers/rules.js';
import { settingFor, type AnswerKey, type PartialAnswers } from '../lib/answers/settings.js';
import { CONNECTION_ARN } from './support/tools.js';

/** Characters that are inert in make, sh, YAML plain scalars and JSON strings. */
const SAFE = /^[A-Za-z0-9._/@%+:-]+$/;
const META = [...'"\'`$(){};|&<>\n\r\t\\#%*?[]! =,~^@:/.-_+'];
const LETTERS = [...'abcxyzABCXYZ0129'];
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

interface Case {
  key: AnswerKey;
  label: string;
  /** The other answers the key is tried with. */
  base: PartialAnswers;
  /** A valid value: the files it gives are the reference shape. */
  reference: string;
  /** Near-valid values, so that a good share of the runs passes validation and reaches the generated files. */
  nearValid: fc.Arbitrary<string>;
}

const metaMix = fc.string({ unit: fc.constantFrom(...META, ...LETTERS), maxLength: 40 });
const withMeta = (valid: fc.Arbitrary<string>) =>
  fc.tuple(valid, fc.nat(), fc.constantFrom(...META)).map(([text, at, meta]) => {
    const index = at % (text.length + 1);
    return text.slice(0, index) + meta + text.slice(index);
  });
const word = (pattern: RegExp) => fc.stringMatching(pattern);

const CASES: Case[] = [
  { key: 'appName', label: 'appName', base: {}, reference: 'orders', nearValid: word(/^[A-Za-z][A-Za-z0-9-]{0,26}$/) },
  {
    key: 'repository', label: 'repository (codecommit)', base: { appName: 'orders' }, reference: 'orders-repo',
    nearValid: word(/^[A-Za-z0-9_.-]{1,12}(\.git)?$/),
  },
  {
    key: 'repository', label: 'repository (github)', base: { appName: 'orders', source: 'github' }, reference: 'acme/orders',
    nearValid: word(/^[A-Za-z0-9_.-]{1,8}(\/[A-Za-z0-9_.-]{0,8}){1,2}$/),
  },
  {
    key: 'branch', label: 'branch', base: { appName: 'orders' }, reference: 'release/1.0',
    nearValid: fc.oneof(word(/^[A-Za-z0-9_-]{1,8}(\/[A-Za-z0-9._-]{1,8}){0,2}$/), word(/^[A-Za-z0-9._/@{-]{1,16}$/)),
  },
  {
    key: 'pipelineStackName', label: 'pipelineStackName', base: { appName: 'orders' }, reference: 'orders-delivery',
    nearValid: word(/^[A-Za-z0-9-]{1,20}$/),
  },
  {
    key: 'approvalEmail', label: 'approvalEmail', base: { appName: 'orders' }, reference: 'team@example.com',
    nearValid: fc.oneof(
      word(/^[a-z0-9]{1,6}([._%+-][a-z0-9]{1,4})?@[a-z0-9]{1,6}(-[a-z0-9]{1,3})?\.[a-z]{2,4}$/),
      word(/^[A-Za-z0-9._%+-]{1,8}@[A-Za-z0-9.-]{1,8}\.[A-Za-z0-9]{1,4}$/),
    ),
  },
  {
    key: 'connectionArn', label: 'connectionArn', base: { appName: 'orders', source: 'github', repository: 'acme/orders' }, reference: CONNECTION_ARN,
    nearValid: fc.oneof(
      word(/^arn:aws(-cn|-us-gov)?:(codeconnections|codestar-connections):[a-z]{2}-[a-z]{4,9}-[1-9]:[0-9]{12}:connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      word(/^arn:aws(-cn|-us-gov)?:(codeconnections|codestar-connections|codestar):[a-z]{2}-[a-z]{4}-[0-9]:[0-9]{11,12}:connection\/[0-9a-fA-F-]{30,40}$/),
    ),
  },
  {
    key: 'region', label: 'region', base: { appName: 'orders' }, reference: 'eu-west-1',
    nearValid: fc.oneof(
      { arbitrary: fc.constantFrom(...REGIONS), weight: 3 },
      { arbitrary: fc.constantFrom(...REGIONS).map((region) => region.toUpperCase()), weight: 1 },
      { arbitrary: word(/^[a-z]{2}-[a-z]{4,9}-[0-9]$/), weight: 1 },
    ),
  },
];

type Files = Map<string, string>;

/** The validation layer as the bin drives it (flags or an answers file), then the files of a new repository. */
function generate(base: PartialAnswers, key: AnswerKey, value: string, viaFile: boolean): Files {
  return generateFrom({ ...base, [key]: value }, viaFile);
}

function generateFrom(given: PartialAnswers, viaFile: boolean): Files {
  const layers = viaFile ? { file: checkAnswersObject(given, '--answers test.json') } : { flags: given };
  const { answers } = finishAnswers(mergeAnswers(layers, {}));
  const plan = planFiles(describeProject(answers), () => undefined, { newApp: true });
  return new Map(plan.files.map((file) => [file.path, file.contents]));
}

/** A parsed document with every string leaf replaced: what must not depend on a free-text answer. */
function shape(value: unknown): unknown {
  if (typeof value === 'string') return '<string>';
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return value;
}

function stringLeaves(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((item) => stringLeaves(item, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => stringLeaves(item, into));
  return into;
}

const parseFile = (path: string, text: string): unknown => (path.endsWith('.json') ? JSON.parse(text) : parse(text));
const isData = (path: string) => /\.(json|ya?ml)$/.test(path);
const makeTargets = (makefile: string) => makefile.split('\n').filter((line) => /^[A-Za-z_.-]+:/.test(line)).map((line) => line.split(':')[0]);

/** Every CloudFormation parameter default satisfies its AllowedPattern (else `make deploy` fails). */
function assertParameterPatterns(pipeline: { Parameters: Record<string, { Default?: unknown; AllowedPattern?: string }> }, label: string): void {
  for (const [name, parameter] of Object.entries(pipeline.Parameters)) {
    if (typeof parameter.Default === 'string' && parameter.AllowedPattern) {
      assert.match(parameter.Default, new RegExp(parameter.AllowedPattern), `${label}: parameter ${name} default outside its AllowedPattern`);
    }
  }
}

describe('random answers: refused, or harmless in every generated file', () => {
  for (const testCase of CASES) {
    it(testCase.label, () => {
      const reference = generate(testCase.base, testCase.key, testCase.reference, false);
      const referenceShapes = new Map([...reference].filter(([path]) => isData(path)).map(([path, text]) => [path, shape(parseFile(path, text))]));
      const referencePipeline = JSON.parse(reference.get('pipeline.json')!);
      const usedInPipeline = stringLeaves(referencePipeline).includes(testCase.reference);
      let accepted = 0;

      const value = fc.oneof(
        { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
        { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 1 },
        { arbitrary: metaMix, weight: 2 },
        { arbitrary: withMeta(testCase.nearValid), weight: 2 },
        { arbitrary: testCase.nearValid, weight: 4 },
      );
      fc.assert(
        fc.property(value, fc.boolean(), (candidate, viaFile) => {
          let files: Files;
          try {
            files = generate(testCase.base, testCase.key, candidate, viaFile);
          } catch (error) {
            assert.ok(error instanceof InputError, `not an InputError: ${(error as Error).stack}`);
            assert.equal(error.exitCode, 2);
            assert.ok(error.problems.some((problem) => problem.startsWith(`${testCase.key} `)), `the key is not named: ${error.message}`);
            for (const problem of error.problems) assert.doesNotMatch(problem, /[\r\n]/, 'a message is one line');
            return;
          }
          // "" is an optional answer deliberately left blank: the same files as no answer, "" saved.
          if (candidate === '' && settingFor(testCase.key)?.optional) {
            assert.equal(files.get('pipeline.json'), generateFrom(testCase.base, false).get('pipeline.json'), 'blank is no answer');
            assert.equal(JSON.parse(files.get('.yo-rc.json')!)[CONFIG_KEY][testCase.key], '');
            return;
          }
          accepted++;
          assert.match(candidate, SAFE, `accepted a value that is not inert in make/sh/YAML: ${JSON.stringify(candidate)}`);

          for (const [path, text] of files) {
            if (!isData(path)) continue;
            const data = parseFile(path, text);
            // The value only ever fills string slots: no key, list item or type changes.
            assert.deepEqual(shape(data), referenceShapes.get(path), `${path} changed shape for ${JSON.stringify(candidate)}`);
          }
          const pipeline = JSON.parse(files.get('pipeline.json')!);
          if (usedInPipeline) assert.ok(stringLeaves(pipeline).includes(candidate), 'the value is a whole JSON string in pipeline.json');
          assertParameterPatterns(pipeline, JSON.stringify(candidate));
          assert.equal(JSON.parse(files.get('.yo-rc.json')!)[CONFIG_KEY][testCase.key], candidate);
          const makefile = files.get('Makefile')!;
          assert.deepEqual(makeTargets(makefile), makeTargets(reference.get('Makefile')!));
          assert.equal(makefile.split('\n').length, reference.get('Makefile')!.split('\n').length, 'the value added or removed Makefile lines');
        }),
        { numRuns: RUNS },
      );
      if (process.env.PROPERTY_DEBUG) console.log(testCase.label, accepted);
      // The near-valid generators must reach the files often enough for the second half to mean something.
      assert.ok(accepted >= RUNS / 20, `only ${accepted} of ${RUNS} values were accepted`);
    });
  }

  it('the reference values themselves give a template whose parameter defaults fit their AllowedPattern', () => {
    for (const testCase of CASES) {
      assertParameterPatterns(JSON.parse(generate(testCase.base, testCase.key, testCase.reference, false).get('pipeline.json')!), testCase.label);
    }
  });
});

describe('random branch names: whatever branchRule accepts, git check-ref-format --branch accepts', () => {
  it('agrees with git on names made of git-significant characters', () => {
    const candidates = fc.sample(word(/^[A-Za-z0-9._/@{}~^:?*\[\\ -]{1,12}$/), { numRuns: 600, seed: 42 });
    const accepted = [...new Set(candidates.filter((name) => branchRule(name) === undefined))];
    assert.ok(accepted.length >= 20, `only ${accepted.length} accepted names to check`);
    for (const name of accepted.slice(0, 150)) {
      const git = spawnSync('git', ['check-ref-format', '--branch', name], { encoding: 'utf8' });
      assert.equal(git.error, undefined, 'git is needed to cross-check the branch rule');
      assert.equal(git.status, 0, `branchRule accepts ${JSON.stringify(name)}, git refuses it: ${git.stderr}`);
    }
  });
});

describe('jsonErrorOffset: the line and column of a JSON error', () => {
  it('matches the position V8 reports whenever it reports one, and is the end for valid JSON', (t) => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string({ unit: fc.constantFrom(...'{}[]",:0123 -.eEtrufalsnu\\\n'), maxLength: 20 }),
      fc.json().map((text) => text.slice(0, -1)),
      fc.tuple(fc.json(), fc.nat(), fc.constantFrom(...'{}[]",:x \'/')).map(([text, at, extra]) => {
        const index = at % (text.length + 1);
        return text.slice(0, index) + extra + text.slice(index);
      }),
    );
    // Cases compared: valid JSON, and invalid JSON for which V8 names a position (for the rest there is nothing to compare).
    const compared = { valid: 0, positioned: 0, unpositioned: 0 };
    fc.assert(
      fc.property(jsonish, (text) => {
        let expected: number | undefined;
        try {
          JSON.parse(text);
          expected = text.length;
          compared.valid += 1;
        } catch (error) {
          const position = /position (\d+)/.exec((error as Error).message)?.[1];
          if (position === undefined) {
            compared.unpositioned += 1;
            return;
          }
          expected = Number(position);
          compared.positioned += 1;
        }
        assert.equal(jsonErrorOffset(text), expected, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
    // A V8 that stopped naming positions (or generators that stopped making errors) would leave little compared.
    t.diagnostic(`compared: ${JSON.stringify(compared)}`);
    assert.ok(compared.positioned >= 800 && compared.valid >= 600, `too few cases compared: ${JSON.stringify(compared)}`);
  });
});
