// What the generated prose tells a user to pass must exist: every stack parameter a Makefile line or comment, the
// README or the next steps name is a parameter of the template they name, for every answer set; and the artifact key
// stays whenever the bucket it encrypts does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextSteps } from '../lib/run/next-steps.js';
import { answersMatrix, forEachVariant, newRepositoryFiles, projectFor, variantName } from './support/tools.js';

type Template = { Parameters?: Record<string, unknown>; Resources: Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties?: Record<string, unknown> }> };

const VARIANTS = answersMatrix().map((answers) => ({ name: variantName(answers), answers, files: newRepositoryFiles(answers) }));
const TARGETS = { deploy: 'deploy', remote: 'remote', push: 'push', 'target-account': 'target-account', 'ci-access': 'ci-access' };

/** [template file, parameter name, where it was named] for every parameter the files name. */
function statedParameters(files: Map<string, string>, steps: string[]): [string, string, string][] {
  const stated: [string, string, string][] = [];
  const names = (text: string) => [...text.matchAll(/(?:^|\s)([A-Z][A-Za-z0-9]+)=/g)].map((match) => match[1]!);
  for (const line of (files.get('Makefile') ?? '').split('\n')) {
    for (const match of line.matchAll(/EXTRA_PARAMETERS=([A-Z][A-Za-z0-9]+)=/g)) stated.push(['pipeline.json', match[1]!, `Makefile: ${line.trim()}`]);
    if (/^PARAMETERS\s*=/.test(line)) for (const name of names(line.replace(/^PARAMETERS\s*=/, ' '))) stated.push(['pipeline.json', name, 'Makefile: PARAMETERS']);
    const template = /--template-file (\S+)/.exec(line)?.[1];
    const overrides = /--parameter-overrides (.*)$/.exec(line)?.[1];
    if (template && overrides) for (const name of names(` ${overrides}`)) stated.push([template.replace('build/pipeline.min.json', 'pipeline.json'), name, `Makefile: ${template}`]);
  }
  const readme = files.get('README.md') ?? '';
  const list = /The stack's parameters[^:]*:([^.]*)\./s.exec(readme)?.[1] ?? '';
  for (const match of list.matchAll(/`([A-Z][A-Za-z0-9]+)`/g)) stated.push(['pipeline.json', match[1]!, "README: the stack's parameters"]);
  for (const text of [readme, ...steps]) {
    for (const match of text.matchAll(/(?:stack parameter `|EXTRA_PARAMETERS=)([A-Z][A-Za-z0-9]+)/g)) stated.push(['pipeline.json', match[1]!, `README or next steps: ${match[0]}`]);
  }
  return stated;
}

describe('every parameter the generated files name exists in the template they name', () => {
  it(`for the ${VARIANTS.length} answer sets of the matrix`, () => {
    let checked = 0;
    forEachVariant(VARIANTS, ({ answers, files }) => {
      const steps = nextSteps(projectFor(answers), '/repo', '/repo', TARGETS, 'none');
      const missing = statedParameters(files, steps).filter(([file, name]) => {
        checked += 1;
        const template = JSON.parse(files.get(file) ?? '{}') as Template;
        return !(name in (template.Parameters ?? {}));
      });
      assert.deepEqual(missing, []);
    });
    assert.ok(checked > VARIANTS.length * 5, `${checked} parameters checked`);
  });

  it('the Make variables the next steps set are ones the Makefile reads', () => {
    forEachVariant(VARIANTS, ({ answers, files }) => {
      const makefile = files.get('Makefile')!;
      const steps = nextSteps(projectFor(answers), '/repo', '/repo', TARGETS, 'none').filter((line) => /^\s*make /.test(line));
      const unread = steps.flatMap((line) => [...line.matchAll(/\s([A-Z_]+)=/g)].map((match) => match[1]!)).filter((name) => !makefile.includes(`$(${name})`) && name !== 'AWS_PROFILE');
      assert.deepEqual(unread, []);
    });
  });

  it('the check can fail: the old comment of a cross-account Makefile named a parameter pipeline.json does not have', () => {
    const files = new Map(VARIANTS.find(({ files }) => files.has('target-account.json'))!.files);
    files.set('Makefile', `# e.g. EXTRA_PARAMETERS=ArtifactKmsKeyArn=arn:aws:kms:...\n${files.get('Makefile')}`);
    const stated = statedParameters(files, []);
    const template = JSON.parse(files.get('pipeline.json')!) as Template;
    assert.ok(stated.some(([, name]) => name === 'ArtifactKmsKeyArn' && !(name in template.Parameters!)));
  });
});

describe('the artifact key is retained whenever the bucket it encrypts is', () => {
  it('in pipeline.json and pipeline-region.json of every answer set', () => {
    let keys = 0;
    forEachVariant(VARIANTS, ({ files }) => {
      for (const file of ['pipeline.json', 'pipeline-region.json']) {
        const template = files.has(file) ? JSON.parse(files.get(file)!) as Template : undefined;
        for (const [id, bucket] of Object.entries(template?.Resources ?? {}).filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')) {
          const keyId = /"Fn::GetAtt":\["(\w+)","Arn"\]/.exec(JSON.stringify(bucket.Properties?.BucketEncryption ?? {}))?.[1];
          if (keyId === undefined) continue;
          keys += 1;
          const key = template!.Resources[keyId]!;
          assert.equal(key.Type, 'AWS::KMS::Key');
          assert.deepEqual([key.DeletionPolicy, key.UpdateReplacePolicy], [bucket.DeletionPolicy, bucket.UpdateReplacePolicy], `${file}: ${keyId} encrypts ${id}`);
        }
      }
    });
    assert.ok(keys > 0);
  });
});
