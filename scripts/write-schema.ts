// npm run schema: rewrite answers.schema.json from the settings table (a test fails when they differ).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonText } from '../lib/repository/repo-files.js';
import { answersSchema } from '../lib/answers/schema.js';

writeFileSync(fileURLToPath(new URL('../../answers.schema.json', import.meta.url)), jsonText(answersSchema()));
