// The one table of handler permissions the tests use: the registry schemas' handler lists exactly as the vendored
// test/fixtures/cloudformation-handler-permissions.json records them, plus handler-permission-additions.json (the
// actions of legacy types, which have no handler list, and the property each optional action depends on).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './tools.js';

export const HANDLERS = ['create', 'update', 'delete', 'read'] as const;
type Handler = (typeof HANDLERS)[number];

export interface TypePermissions extends Record<Handler, string[]> {
  /** Where the lists come from: the schema file and commit, or the API reference for a legacy type. */
  source: string;
  /** Action -> the property it depends on (a top-level name, Name/Sub for a nested one, Name~text when its JSON holds text). */
  onlyWith?: Record<string, string>;
}

/** The vendored copy of the shared reference (CI clones only this repository). */
export interface RegistrySnapshot {
  about: string;
  /** The repository and commit the handler lists were read at. */
  source: string;
  types: Record<string, Partial<Record<Handler, string[]>>>;
  legacy: string[];
}

export interface Additions {
  about: string;
  legacy: Record<string, Record<Handler, string[]> & { source: string; why: string }>;
  onlyWith: Record<string, Record<string, string>>;
  /** An operation the lists name by its API name -> the IAM action that authorises it. */
  authorisedAs: Record<string, string>;
}

const readJson = <T>(...path: string[]): T => JSON.parse(readFileSync(join(PACKAGE_ROOT, ...path), 'utf8')) as T;

export const REGISTRY = readJson<RegistrySnapshot>('test', 'fixtures', 'cloudformation-handler-permissions.json');
export const ADDITIONS = readJson<Additions>('test', 'support', 'handler-permission-additions.json');

/** The derived table: registry types as published (deduplicated), legacy types from the additions, conditions added. */
export function deriveHandlerPermissions(registry: RegistrySnapshot, additions: Additions): Record<string, TypePermissions> {
  const types: Record<string, TypePermissions> = {};
  for (const [type, handlers] of Object.entries(registry.types)) {
    const lists = Object.fromEntries(HANDLERS.map((handler) => [handler, [...new Set(handlers[handler] ?? [])]])) as Record<Handler, string[]>;
    types[type] = { source: `${registry.source}: ${type}`, ...lists };
  }
  for (const [type, legacy] of Object.entries(additions.legacy)) {
    types[type] = { source: legacy.source, ...Object.fromEntries(HANDLERS.map((handler) => [handler, legacy[handler]])) as Record<Handler, string[]> };
  }
  for (const [type, conditions] of Object.entries(additions.onlyWith)) {
    if (types[type]) types[type].onlyWith = conditions;
  }
  return types;
}

export const HANDLER_PERMISSIONS = { types: deriveHandlerPermissions(REGISTRY, ADDITIONS) };

/** The IAM action a listed operation is authorised as (itself, unless the additions say otherwise). */
export const iamActionOf = (action: string): string => ADDITIONS.authorisedAs[action] ?? action;
