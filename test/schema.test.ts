// answers.schema.json: the committed copy is what lib/answers/schema.ts derives from the settings table, editors that use it
// accept the examples and refuse the usual mistakes, and what it accepts the generator accepts too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { checkAnswersObject, finishAnswers, mergeAnswers } from '../lib/answers/answers.js';
import { BUILD_IMAGES, PYTHON_VERSIONS, REGIONS } from '../lib/facts/aws.js';
import { answersSchema } from '../lib/answers/schema.js';
import { SETTINGS } from '../lib/answers/settings.js';
import { CONNECTION_ARN, EXAMPLE_ANSWERS, PACKAGE_ROOT, STAGES_EXAMPLE, answersMatrix } from './support/tools.js';

const committed = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'answers.schema.json'), 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ strict: true, allErrors: true }).compile(committed);
const examples: [string, Record<string, unknown>][] = [
  ['examples/answers.json', JSON.parse(readFileSync(EXAMPLE_ANSWERS, 'utf8'))],
  ['examples/answers-github.yml', parse(readFileSync(join(PACKAGE_ROOT, 'examples', 'answers-github.yml'), 'utf8'))],
  ['examples/answers-github-actions.yml', parse(readFileSync(join(PACKAGE_ROOT, 'examples', 'answers-github-actions.yml'), 'utf8'))],
];

/** The generator's own verdict on an answers-file object: the answers, or the problems. */
function generatorAccepts(data: Record<string, unknown>): { ok: true } | { ok: false; problems: string } {
  try {
    finishAnswers(mergeAnswers({ file: checkAnswersObject(data, 'test') }, {}));
    return { ok: true };
  } catch (error) {
    return { ok: false, problems: (error as Error).message };
  }
}

const schemaErrors = () => JSON.stringify(validate.errors, null, 1);

describe('answers.schema.json', () => {
  it('is exactly what answersSchema() derives from the settings (regenerate with npm run schema)', () => {
    assert.deepEqual(committed, answersSchema());
  });

  it('has one property per setting, with its flag description, and no others', () => {
    const properties = committed.properties as Record<string, { type: string; enum?: string[]; anyOf?: { type: string }[] }>;
    assert.deepEqual(Object.keys(properties), ['$schema', ...SETTINGS.map((setting) => setting.key)]);
    for (const setting of SETTINGS) {
      // The stage list: names separated by commas (as the flag gives them), or a list of names and stage objects.
      if (setting.kind === 'list') {
        assert.deepEqual(properties[setting.key].anyOf?.map((option) => option.type), ['string', 'array'], setting.key);
        continue;
      }
      assert.equal(properties[setting.key].type, setting.kind === 'boolean' ? 'boolean' : 'string', setting.key);
      if (setting.choices) assert.deepEqual(properties[setting.key].enum, [...setting.choices], setting.key);
    }
    assert.equal(committed.additionalProperties, false);
  });

  for (const [name, example] of examples) {
    it(`accepts ${name}, and so does the generator`, () => {
      assert.ok(validate(example), schemaErrors());
      const verdict = generatorAccepts(example);
      assert.ok(verdict.ok, verdict.ok ? '' : verdict.problems);
    });
  }

  const base = { appName: 'orders' };
  const rejected: [string, Record<string, unknown>][] = [
    ['an unknown key', { ...base, appname: 'orders' }],
    ['a snake_case key', { app_name: 'orders' }],
    ['a boolean as a string', { ...base, unitTests: 'yes' }],
    ['pythonVersion as a number', { ...base, pythonVersion: 3.1 }],
    ['a string as a list', { appName: ['orders'] }],
    ['null', { ...base, approvalEmail: null }],
    ['pythonVersion 3.9', { ...base, pythonVersion: '3.9' }],
    ['pipelineType V3', { ...base, pipelineType: 'V3' }],
    ['source svn', { ...base, source: 'svn' }],
    ['region mars-1', { ...base, region: 'mars-1' }],
    ['a retired image', { ...base, codebuildImage: 'aws/codebuild/amazonlinux2-x86_64-standard:3.0' }],
    ['appName with "_"', { appName: 'my_app' }],
    ['appName with a leading digit', { appName: '1orders' }],
    ['appName ending in "-"', { appName: 'orders-' }],
    ['appName of 61 characters', { appName: 'a'.repeat(61) }],
    ['branch with a space', { ...base, branch: 'a b' }],
    ['branch with $(id)', { ...base, branch: '$(id)' }],
    ['pipelineStackName with a leading digit', { ...base, pipelineStackName: '1-pipeline' }],
    ['approvalEmail without a domain', { ...base, approvalEmail: 'a@b' }],
    ['approvalEmail with two @', { ...base, approvalEmail: 'a@@b.com' }],
    ['a stage named Prod', { ...base, stages: [{ name: 'Prod' }] }],
    ['a stage with an unknown key', { ...base, stages: [{ name: 'dev' }, { name: 'prod', aproval: true }] }],
    ['a stage deployment Blue', { ...base, stages: [{ name: 'dev' }, { name: 'prod', deployment: 'Blue' }] }],
    ['a stage account of 11 digits', { ...base, stages: [{ name: 'dev', account: '12345678901' }] }],
    ['an empty wave', { ...base, stages: [{ name: 'dev', targets: [] }] }],
    ['connectionArn of another service', { ...base, source: 'github', repository: 'acme/orders', connectionArn: CONNECTION_ARN.replace('codeconnections', 'codebuild') }],
  ];
  for (const [name, data] of rejected) {
    it(`rejects ${name}, and so does the generator`, () => {
      assert.equal(validate(data), false, `the schema accepts ${JSON.stringify(data)}`);
      const verdict = generatorAccepts(data);
      assert.equal(verdict.ok, false, `the generator accepts ${JSON.stringify(data)}`);
    });
  }

  it('what the schema accepts, the generator accepts (valid variants across every enum and the answers matrix)', () => {
    const variants: Record<string, unknown>[] = [
      ...answersMatrix().map((answers) => ({ appName: 'orders', ...answers })),
      ...REGIONS.map((region) => ({ appName: 'orders', region })),
      ...PYTHON_VERSIONS.flatMap((pythonVersion) => BUILD_IMAGES.map((image) => ({ appName: 'o', pythonVersion, codebuildImage: image.name }))),
      { appName: 'A', branch: 'release/1.2.3', pipelineStackName: `p${'x'.repeat(127)}` },
      { appName: 'a'.repeat(60), repository: 'orders.v2_x-y', approvalEmail: 'first.last+ops%x@mail.example-corp.co.uk' },
      { $schema: './answers.schema.json', appName: 'Orders-2', source: 'gitlab', repository: 'group/sub/repo', connectionArn: CONNECTION_ARN.replace('codeconnections', 'codestar-connections') },
      { appName: 'orders', production: false, manualApproval: false },
      { appName: 'orders', stages: 'dev,staging,prod' },
      { appName: 'orders', region: 'us-east-1', stages: STAGES_EXAMPLE },
    ];
    let accepted = 0;
    for (const variant of variants) {
      if (!validate(variant)) continue;
      accepted++;
      const verdict = generatorAccepts(variant);
      assert.ok(verdict.ok, `schema accepts, generator refuses ${JSON.stringify(variant)}: ${verdict.ok ? '' : verdict.problems}`);
    }
    assert.equal(accepted, variants.length, 'every variant here is valid, the schema must accept them all');
  });
});

describe('the checkers the suite relies on', () => {
  it('a missing one fails with a message naming it (never a silent skip)', async () => {
    const { requireTool } = await import('./support/tools.js');
    assert.throws(() => requireTool('cfn-lint-that-does-not-exist'), /cfn-lint-that-does-not-exist is required by the test suite but is not available/);
    assert.doesNotThrow(() => requireTool('cfn-lint'));
    assert.doesNotThrow(() => requireTool('python3'));
  });
});
