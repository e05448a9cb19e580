// The JSON Schema of the answers file, derived from the settings table (answers.schema.json is its committed copy).
import { SETTINGS } from './settings.js';

export const SCHEMA_ID = 'https://unpkg.com/generator-chalice-pipeline/answers.schema.json';

export function answersSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = { $schema: { type: 'string', description: 'Path or URL of this schema' } };
  for (const setting of SETTINGS) {
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
