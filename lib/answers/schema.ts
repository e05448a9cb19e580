// The JSON Schema of the answers file, derived from the settings table (answers.schema.json is its committed copy).
import { PROD_DEPLOYMENTS } from '../facts/aws.js';
import { ACCOUNT_ID_PATTERN } from './rules.js';
import { STAGE_NAME_MAX, STAGE_NAME_PATTERN } from './stage-list.js';
import { SETTINGS } from './settings.js';

/** The `stages` list: names (as the flag gives them, comma-separated) or stage objects. */
function stageListSchema(description: string): Record<string, unknown> {
  const name = { type: 'string', pattern: STAGE_NAME_PATTERN, maxLength: STAGE_NAME_MAX };
  const place = { account: { type: 'string', pattern: ACCOUNT_ID_PATTERN }, region: { type: 'string' } };
  const stage = {
    type: 'object', required: ['name'], additionalProperties: false,
    properties: {
      name, ...place,
      targets: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, properties: place } },
      approval: { type: 'boolean', description: 'A manual approval before the stage (not on the first)' },
      tests: { type: 'boolean', description: 'tests/integration runs against the stage after it deployed' },
      deployment: { type: 'string', enum: [...PROD_DEPLOYMENTS] },
    },
  };
  return {
    description,
    anyOf: [{ type: 'string', description: 'Stage names separated by commas' }, { type: 'array', minItems: 1, items: { anyOf: [name, stage] } }],
  };
}

export const SCHEMA_ID = 'https://unpkg.com/generator-chalice-pipeline/answers.schema.json';

export function answersSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = { $schema: { type: 'string', description: 'Path or URL of this schema' } };
  for (const setting of SETTINGS) {
    if (setting.kind === 'list') {
      properties[setting.key] = stageListSchema(setting.description);
      continue;
    }
    const property: Record<string, unknown> = { description: setting.description };
    if (setting.kind === 'boolean') property.type = 'boolean';
    else {
      property.type = 'string';
      if (setting.choices) property.enum = [...setting.choices];
      // An optional answer may be "" (deliberately blank).
      else if (setting.pattern) property.pattern = setting.optional ? `^$|${setting.pattern}` : setting.pattern;
    }
    properties[setting.key] = property;
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'generator-chalice-pipeline answers',
    description: 'Answers for `chalice-pipeline --answers FILE` (JSON or YAML). Keys not given take their defaults.',
    type: 'object',
    properties,
    additionalProperties: false,
  };
}
