// The app generator run through yeoman-test, as `yo chalice-pipeline` runs it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import helpers from 'yeoman-test';
import { PACKAGE_ROOT } from './support/tools.js';

const APP = join(PACKAGE_ROOT, 'dist', 'generators', 'app', 'index.js');

describe('yo chalice-pipeline (app) with prompts answered', () => {
  it('writes the repository into ./<appName> from the prompt answers', async () => {
    const result = await helpers.run(APP).withAnswers({ appName: 'shop', region: 'eu-central-1', approvalEmail: '' }).withOptions({ 'skip-git': true } as never);
    const root = join(result.cwd, 'shop');
    assert.ok(existsSync(join(root, 'app.py')));
    const config = JSON.parse(readFileSync(join(root, '.chalice', 'config.json'), 'utf8'));
    assert.equal(config.app_name, 'shop');
    assert.deepEqual(Object.keys(config.stages), ['dev', 'beta', 'prod']);
    const saved = JSON.parse(readFileSync(join(root, '.yo-rc.json'), 'utf8'))['generator-chalice-pipeline'];
    assert.equal(saved.region, 'eu-central-1');
    assert.equal(saved.approvalEmail, undefined);
  });
});
