// Writes test/fixtures/two-stage-before.json: the identities of every two-stage answer set as the code of this
// checkout generates them. Run once on the code before the stage list (commit 2399b7f); the upgrade test compares
// against it and never writes it. `node dist/test/support/write-two-stage-before.js`
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { twoStageIdentities } from './identities.js';
import { PACKAGE_ROOT } from './tools.js';

const identities = twoStageIdentities();
const lines = Object.entries(identities).map(([name, identity]) => `  ${JSON.stringify(name)}: ${JSON.stringify(identity)}`);
writeFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'two-stage-before.json'), `{\n${lines.join(',\n')}\n}\n`);
console.log(`${lines.length} answer sets written`);
