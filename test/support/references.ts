// Referential integrity of a template: every Ref / GetAtt / Sub variable resolves, the pipeline's artifacts and
// variables flow forward, names are unique, and nothing dangles (an unused parameter, an unused role, a resource
// nothing is connected to). Same shape as the security rules, so the tests treat both alike.
import {
  asList, isObject, objectAt, pipelineActions, resourcesOfType, stringsIn, type CfnTemplate, type TemplateCheck,
} from './security-rules.js';

/** The pseudo parameters the template may use (AWS::NoValue only as a Ref, to drop a property). */
export const PSEUDO_PARAMETERS = ['AWS::Partition', 'AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::URLSuffix'];

export interface Reference {
  /** `Resources/X` or `Outputs/Y`. */
  from: string;
  /** Keys from the resource or output down to the reference. */
  path: string[];
  kind: 'Ref' | 'GetAtt' | 'Sub' | 'DependsOn';
  target: string;
  attribute?: string;
}

/** Variables of an Fn::Sub template: `${Name}`, `${Res.Attr}`; `${!Literal}` is text. */
function subVariables(text: string): { target: string; attribute?: string }[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)]
    .map((match) => match[1])
    .filter((name) => !name.startsWith('!'))
    .map((name) => {
      if (name.startsWith('AWS::')) return { target: name };
      const dot = name.indexOf('.');
      return dot === -1 ? { target: name } : { target: name.slice(0, dot), attribute: name.slice(dot + 1) };
    });
}

function collect(value: unknown, from: string, path: string[], found: Reference[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => collect(item, from, [...path, String(index)], found));
    return;
  }
  if (!isObject(value)) return;
  if (typeof value.Ref === 'string') found.push({ from, path, kind: 'Ref', target: value.Ref });
  const getAtt = value['Fn::GetAtt'];
  if (getAtt !== undefined) {
    const [target, attribute] = typeof getAtt === 'string' ? [getAtt.slice(0, getAtt.indexOf('.')), getAtt.slice(getAtt.indexOf('.') + 1)] : asList(getAtt);
    found.push({ from, path, kind: 'GetAtt', target: String(target), attribute: String(attribute) });
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const [text, locals] = typeof sub === 'string' ? [sub, {}] : [String(asList(sub)[0]), objectAt(asList(sub)[1])];
    for (const variable of subVariables(text)) {
      if (!(variable.target in locals)) found.push({ from, path, kind: 'Sub', ...variable });
    }
    collect(locals, from, [...path, 'Fn::Sub'], found);
  }
  for (const [key, item] of Object.entries(value)) {
    if (key !== 'Ref' && key !== 'Fn::GetAtt' && key !== 'Fn::Sub') collect(item, from, [...path, key], found);
  }
}

/** Every reference of the template's resources and outputs. */
export function references(template: CfnTemplate): Reference[] {
  const found: Reference[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const from = `Resources/${id}`;
    const { Type: _type, DependsOn: dependsOn, ...rest } = resource;
    for (const target of asList(dependsOn)) found.push({ from, path: ['DependsOn'], kind: 'DependsOn', target: String(target) });
    collect(rest, from, [], found);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) collect(output, `Outputs/${name}`, [], found);
  for (const [name, condition] of Object.entries(template.Conditions ?? {})) collect(condition, `Conditions/${name}`, [], found);
  return found;
}

const label = (r: Reference) => `${r.from}${r.path.length ? `.${r.path.join('.')}` : ''}: ${r.kind} ${r.target}${r.attribute ? `.${r.attribute}` : ''}`;

const resolve: TemplateCheck = {
  id: 'REFERENCES_RESOLVE',
  check: (template) => references(template).flatMap((reference) => {
    const { kind, target, attribute } = reference;
    const isResource = target in template.Resources;
    const isParameter = target in (template.Parameters ?? {});
    if (kind === 'GetAtt' || (kind === 'Sub' && attribute !== undefined)) {
      return isResource ? [] : [`${label(reference)} names no resource of this template`];
    }
    if (kind === 'DependsOn') return isResource ? [] : [`${label(reference)} names no resource of this template`];
    const pseudo = PSEUDO_PARAMETERS.includes(target) || (kind === 'Ref' && target === 'AWS::NoValue');
    return isResource || isParameter || pseudo ? [] : [`${label(reference)} is neither a parameter, a resource nor a pseudo parameter`];
  }),
};

/** Attributes of the resource types this stack uses (CloudFormation's documented Fn::GetAtt return values). */
const ATTRIBUTES: Record<string, string[]> = {
  'AWS::S3::Bucket': ['Arn', 'DomainName', 'DualStackDomainName', 'RegionalDomainName', 'WebsiteURL'],
  'AWS::IAM::Role': ['Arn', 'RoleId'],
  'AWS::CodeCommit::Repository': ['Arn', 'CloneUrlHttp', 'CloneUrlSsh', 'Name', 'KmsKeyId'],
  'AWS::CodeConnections::Connection': ['ConnectionArn', 'ConnectionStatus', 'OwnerAccountId'],
  'AWS::CodeStarConnections::Connection': ['ConnectionArn', 'ConnectionStatus', 'OwnerAccountId'],
  'AWS::Logs::LogGroup': ['Arn'],
  'AWS::CodeBuild::Project': ['Arn'],
  'AWS::CodeBuild::ReportGroup': ['Arn'],
  'AWS::SNS::Topic': ['TopicArn', 'TopicName'],
  'AWS::Events::Rule': ['Arn'],
  'AWS::CodePipeline::Pipeline': ['Version'],
  'AWS::KMS::Key': ['Arn', 'KeyId'],
};

const attributesExist: TemplateCheck = {
  id: 'GETATT_ATTRIBUTES_EXIST',
  check: (template) => references(template)
    .filter((r) => r.attribute !== undefined && r.target in template.Resources)
    .flatMap((reference) => {
      const known = ATTRIBUTES[template.Resources[reference.target].Type];
      return known === undefined || known.includes(reference.attribute!) ? [] : [`${label(reference)}: ${template.Resources[reference.target].Type} has no attribute ${reference.attribute}`];
    }),
};

// ---- the pipeline ----------------------------------------------------------------------------------------------

interface Placed {
  stage: string;
  stageIndex: number;
  runOrder: number;
  action: Record<string, unknown>;
}

function placedActions(properties: Record<string, unknown>): Placed[] {
  const stageNames = asList(properties.Stages).map((stage) => String(objectAt(stage).Name));
  return pipelineActions(properties).map(({ stage, action }) => ({
    stage, stageIndex: stageNames.indexOf(stage), runOrder: typeof action.RunOrder === 'number' ? action.RunOrder : 1, action,
  }));
}

/** Whether `earlier` has finished before `later` starts: an earlier stage, or a lower RunOrder of the same stage. */
const runsBefore = (earlier: Placed, later: Placed) =>
  earlier.stageIndex < later.stageIndex || (earlier.stageIndex === later.stageIndex && earlier.runOrder < later.runOrder);

const artifactNames = (list: unknown) => asList(list).map((artifact) => String(objectAt(artifact).Name));
const actionName = (id: string, placed: Placed) => `${id}/${placed.stage}/${String(placed.action.Name)}`;

/** Artifacts a configuration names through `Artifact::path` (TemplatePath, TemplateConfiguration) or PrimarySource. */
function configuredArtifacts(configuration: Record<string, unknown>): string[] {
  const named = Object.values(configuration).filter((v): v is string => typeof v === 'string' && v.includes('::')).map((v) => v.split('::')[0]);
  return typeof configuration.PrimarySource === 'string' ? [...named, configuration.PrimarySource] : named;
}

const inputsProduced: TemplateCheck = {
  id: 'PIPELINE_INPUTS_PRODUCED_EARLIER',
  check: (template) => resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([id, properties]) => {
    const actions = placedActions(properties);
    return actions.flatMap((placed) => {
      const inputs = artifactNames(placed.action.InputArtifacts);
      const problems = inputs
        .filter((input) => !actions.some((other) => runsBefore(other, placed) && artifactNames(other.action.OutputArtifacts).includes(input)))
        .map((input) => `${actionName(id, placed)}: input artifact ${input} is not produced by an earlier action`);
      for (const artifact of configuredArtifacts(objectAt(placed.action.Configuration))) {
        if (!inputs.includes(artifact)) problems.push(`${actionName(id, placed)}: configuration names artifact ${artifact}, which is not one of its inputs`);
      }
      return problems;
    });
  }),
};

function duplicates(names: string[]): string[] {
  return [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
}

const namesUnique: TemplateCheck = {
  id: 'PIPELINE_NAMES_UNIQUE',
  check: (template) => resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([id, properties]) => {
    const actions = placedActions(properties);
    const stages = asList(properties.Stages).map((stage) => String(objectAt(stage).Name));
    return [
      ...duplicates(actions.flatMap((p) => artifactNames(p.action.OutputArtifacts))).map((name) => `${id}: output artifact ${name} is produced twice`),
      ...duplicates(stages).map((name) => `${id}: stage ${name} appears twice`),
      ...duplicates(actions.map((p) => `${p.stage}/${String(p.action.Name)}`)).map((name) => `${id}: action ${name} appears twice`),
      ...duplicates(actions.filter((p) => p.action.Namespace !== undefined).map((p) => String(p.action.Namespace))).map((name) => `${id}: namespace ${name} is used twice`),
    ];
  }),
};

/** Built-in variable namespaces (execution id, pipeline-level variables) that no action declares. */
const BUILT_IN_NAMESPACES = ['codepipeline', 'variables'];

const variablesResolve: TemplateCheck = {
  id: 'PIPELINE_VARIABLES_RESOLVE',
  check: (template) => resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([id, properties]) => {
    const actions = placedActions(properties);
    const problems = actions.flatMap((placed) => [...stringsIn(placed.action.Configuration)].flatMap(([, text]) =>
      [...text.matchAll(/#\{([^.}]+)\.[^}]+\}/g)]
        .filter(([, namespace]) => !BUILT_IN_NAMESPACES.includes(namespace)
          && !actions.some((other) => runsBefore(other, placed) && other.action.Namespace === namespace))
        .map(([variable]) => `${actionName(id, placed)}: ${variable} is not set by an earlier action`)));
    const connectionSources = actions.filter((p) => objectAt(p.action.ActionTypeId).Provider === 'CodeStarSourceConnection').map((p) => p.action.Name);
    for (const trigger of asList(properties.Triggers).map(objectAt)) {
      const sourceAction = objectAt(trigger.GitConfiguration).SourceActionName;
      if (!connectionSources.includes(sourceAction)) problems.push(`${id}: trigger on ${String(sourceAction)}, which is not a connection source action`);
    }
    return problems;
  }),
};

// ---- nothing dangles -------------------------------------------------------------------------------------------

const unusedParameters: TemplateCheck = {
  id: 'NO_UNUSED_PARAMETERS',
  check: (template) => {
    // A condition the resources test counts as a use of the parameters it reads.
    const used = new Set(references(template).filter((r) => r.from.startsWith('Resources/') || r.from.startsWith('Conditions/')).map((r) => r.target));
    return Object.keys(template.Parameters ?? {}).filter((name) => !used.has(name)).map((name) => `${name}: parameter no resource uses`);
  },
};

const POLICY_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'];

const rolesUsed: TemplateCheck = {
  id: 'IAM_ROLES_USED',
  check: (template) => {
    // A role is used when a service is given it (ServiceRole, RoleArn...), not when a policy names or attaches it.
    const users = references(template).filter((r) => r.from.startsWith('Resources/')
      && !POLICY_TYPES.includes(template.Resources[r.from.slice('Resources/'.length)].Type)
      && !r.path.includes('PolicyDocument'));
    return resourcesOfType(template, 'AWS::IAM::Role')
      .filter(([id]) => !users.some((r) => r.target === id))
      .map(([id]) => `${id}: no resource uses this role`);
  },
};

const resourcesConnected: TemplateCheck = {
  id: 'RESOURCES_CONNECTED_TO_THE_PIPELINE',
  check: (template) => {
    const links = new Map(Object.keys(template.Resources).map((id) => [id, new Set<string>()]));
    for (const reference of references(template)) {
      const from = reference.from.startsWith('Resources/') ? reference.from.slice('Resources/'.length) : undefined;
      if (from === undefined || !links.has(reference.target)) continue;
      links.get(from)!.add(reference.target);
      links.get(reference.target)!.add(from);
    }
    const reached = new Set(resourcesOfType(template, 'AWS::CodePipeline::Pipeline').map(([id]) => id));
    if (reached.size === 0) return ['no AWS::CodePipeline::Pipeline in the template'];
    for (const pending = [...reached]; pending.length > 0;) {
      for (const next of links.get(pending.pop()!) ?? []) {
        if (!reached.has(next)) {
          reached.add(next);
          pending.push(next);
        }
      }
    }
    return Object.keys(template.Resources).filter((id) => !reached.has(id)).map((id) => `${id}: nothing links this resource to the pipeline`);
  },
};

const outputsRefer: TemplateCheck = {
  id: 'OUTPUTS_REFER_TO_THE_STACK',
  check: (template) => {
    const known = new Set([...Object.keys(template.Resources), ...Object.keys(template.Parameters ?? {})]);
    const referring = new Set(references(template).filter((r) => r.from.startsWith('Outputs/') && known.has(r.target)).map((r) => r.from));
    return Object.keys(template.Outputs ?? {}).filter((name) => !referring.has(`Outputs/${name}`)).map((name) => `${name}: output refers to nothing in the stack`);
  },
};

export const REFERENCE_CHECKS: readonly TemplateCheck[] = [
  resolve, attributesExist, inputsProduced, namesUnique, variablesResolve, unusedParameters, rolesUsed, resourcesConnected, outputsRefer,
];
