// One source of handler permissions: the table the role tests evaluate is the vendored registry snapshot plus the
// documented additions, and nothing else. These checks fail when the two disagree, when an addition goes stale, or
// when a template the generator writes holds a type the table does not know.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ADDITIONS, HANDLER_PERMISSIONS, HANDLERS, REGISTRY, deriveHandlerPermissions, type Additions, type RegistrySnapshot, type TypePermissions } from './support/handler-permissions.js';
import { answersMatrix, newRepositoryFiles, PACKAGE_ROOT } from './support/tools.js';

/** Where the derived table and the reference (plus additions) disagree, one line per difference. */
function disagreements(table: Record<string, TypePermissions>, registry: RegistrySnapshot, additions: Additions): string[] {
  const problems: string[] = [];
  for (const [type, handlers] of Object.entries(registry.types)) {
    for (const handler of HANDLERS) {
      const want = [...new Set(handlers[handler] ?? [])].sort();
      const got = [...(table[type]?.[handler] ?? [])].sort();
      if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`${type} ${handler}: table ${JSON.stringify(got)}, reference ${JSON.stringify(want)}`);
    }
  }
  for (const type of Object.keys(additions.legacy)) {
    if (type in registry.types) problems.push(`${type}: the reference now publishes its handler list; drop the legacy addition`);
    if (!registry.legacy.includes(type)) problems.push(`${type}: not in the reference's legacy list`);
  }
  for (const [type, conditions] of Object.entries(additions.onlyWith)) {
    const permissions = table[type];
    if (!permissions) {
      problems.push(`${type}: a condition for a type the table does not hold`);
      continue;
    }
    const listed = new Set(HANDLERS.flatMap((handler) => permissions[handler]));
    for (const action of Object.keys(conditions)) {
      if (!listed.has(action)) problems.push(`${type}: the condition on ${action} names an action no handler list holds`);
    }
  }
  const everyAction = new Set(Object.values(table).flatMap((permissions) => HANDLERS.flatMap((handler) => permissions[handler])));
  for (const action of Object.keys(additions.authorisedAs)) {
    if (!everyAction.has(action)) problems.push(`${action}: authorisedAs names an operation no handler list holds`);
  }
  for (const type of Object.keys(table)) {
    if (!(type in registry.types) && !(type in additions.legacy)) problems.push(`${type}: in the table but in neither the reference nor the additions`);
  }
  return problems;
}

describe('the handler-permission table', () => {
  it('is the vendored reference, with the commit it was read at', () => {
    assert.match(REGISTRY.source, /pulumi-aws-native.* at commit [0-9a-f]{40}/);
    assert.ok(Object.keys(REGISTRY.types).length >= 171, 'the reference holds the 171 types of the services involved');
  });

  it('agrees with the reference and the additions, type by type and handler by handler', () => {
    assert.deepEqual(disagreements(HANDLER_PERMISSIONS.types, REGISTRY, ADDITIONS), []);
  });

  it('documents every addition: a source and a reason for each legacy type', () => {
    for (const [type, legacy] of Object.entries(ADDITIONS.legacy)) {
      assert.match(legacy.source, /^legacy: .+ API reference/, type);
      assert.ok(legacy.why.length > 10, `${type}: why CloudFormation makes these calls`);
    }
  });

  it('holds every resource type of every template the generator writes, for every answer set', () => {
    const missing = new Set<string>();
    for (const answers of answersMatrix()) {
      const files = newRepositoryFiles(answers);
      for (const [path, text] of files) {
        if (!path.endsWith('.json') || !text.includes('"AWSTemplateFormatVersion"')) continue;
        for (const resource of Object.values((JSON.parse(text) as { Resources: Record<string, { Type: string }> }).Resources)) {
          if (!(resource.Type in HANDLER_PERMISSIONS.types)) missing.add(`${path}: ${resource.Type}`);
        }
      }
    }
    assert.deepEqual([...missing], []);
  });

  it('catches a disagreement: an action the reference gained, a stale condition, a legacy type that got a handler list', () => {
    const registry = structuredClone(REGISTRY);
    registry.types['AWS::CodeDeploy::DeploymentGroup']!.update!.push('codedeploy:NewAction');
    assert.match(disagreements(HANDLER_PERMISSIONS.types, registry, ADDITIONS).join('\n'), /DeploymentGroup update: .*codedeploy:NewAction/);

    const additions = structuredClone(ADDITIONS);
    additions.onlyWith['AWS::Lambda::Function']!['lambda:GoneAction'] = 'Layers';
    assert.match(disagreements(deriveHandlerPermissions(REGISTRY, additions), REGISTRY, additions).join('\n'), /lambda:GoneAction names an action no handler list holds/);

    const published = structuredClone(REGISTRY);
    published.types['AWS::CodeBuild::Project'] = { create: ['codebuild:CreateProject'] };
    assert.match(disagreements(deriveHandlerPermissions(published, ADDITIONS), published, ADDITIONS).join('\n'), /CodeBuild::Project: the reference now publishes/);
  });

  it('is vendored byte for byte (the file the tests read is the one in the repository, not ../shared)', () => {
    const vendored = readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'cloudformation-handler-permissions.json'), 'utf8');
    assert.deepEqual(JSON.parse(vendored), REGISTRY);
  });
});
