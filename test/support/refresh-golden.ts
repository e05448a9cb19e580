// npm run golden: rewrites every golden file from the product as it is now and prints the diff of each, to review
// before committing (npm test never rewrites them).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_FILES, committedGolden } from './golden.js';
import { PACKAGE_ROOT, tempDir } from './tools.js';

let changed = 0;
for (const golden of GOLDEN_FILES) {
  const before = committedGolden(golden);
  const after = golden.render();
  if (before === after) {
    console.log(`${golden.path}: unchanged`);
    continue;
  }
  changed += 1;
  const previous = join(tempDir('cp-golden-'), 'previous');
  writeFileSync(previous, before);
  writeFileSync(join(PACKAGE_ROOT, golden.path), after);
  const diff = spawnSync('diff', ['-u', '--label', `${golden.path} (committed)`, '--label', `${golden.path} (refreshed)`, previous, join(PACKAGE_ROOT, golden.path)], { encoding: 'utf8' });
  console.log(`${golden.path}: rewritten (${golden.what})\n${diff.stdout}`);
}
console.log(changed ? `${changed} golden file(s) rewritten: review the diff above, then commit them with the change that explains it` : 'every golden file is up to date');
