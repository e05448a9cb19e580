// Golden files: committed outputs a test compares byte for byte. A test only reads them; refreshing one is a
// deliberate, separate command (`npm run golden`) that rewrites it and prints the diff for review.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, templateFor } from './tools.js';

export interface GoldenFile {
  /** Path in the package. */
  path: string;
  /** What it holds. */
  what: string;
  /** Its contents as the product renders them now. */
  render(): string;
}

export const GOLDEN_FILES: GoldenFile[] = [{
  path: 'test/fixtures/pipeline-single-account.json',
  what: 'pipeline.json of the default answers (single account, single region)',
  render: () => `${JSON.stringify(templateFor({ region: 'us-east-1' }), null, 2)}\n`,
}];

/** The committed text of a golden file. */
export const committedGolden = (golden: GoldenFile): string => readFileSync(join(PACKAGE_ROOT, golden.path), 'utf8');
