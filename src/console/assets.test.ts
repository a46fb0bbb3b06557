import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleAssets } from './assets.ts';

test('vendor modules come from their npm packages; hooks import our preact URL, not a bare name', () => {
  const assets = new ConsoleAssets();
  const hooks = assets.vendorAsset('hooks.mjs')!.body.toString();
  assert.match(hooks, /from"\/console\/vendor\/preact\.mjs"/);
  assert.doesNotMatch(hooks, /from\s*["']preact["']/);
  for (const name of ['preact.mjs', 'htm.mjs', 'uplot.mjs']) assert.equal(assets.vendorAsset(name)!.type, 'text/javascript; charset=utf-8', name);
  assert.equal(assets.vendorAsset('uplot.css')!.type, 'text/css; charset=utf-8');
  assert.equal(assets.vendorAsset('../package.json'), undefined);
});

test('the page\'s files only: nothing outside web/, no dotfiles, no tests, no unknown types', () => {
  const assets = new ConsoleAssets();
  assert.ok(assets.appAsset('app.js'));
  assert.match(assets.page().body.toString(), /<script type="module" src="\/console\/app\/app\.js"><\/script>/);
  for (const path of ['../plugin.ts', '../../../package.json', 'lib/../../assets.ts', '.hidden', 'README.md', 'i18n/dictionaries.test.js', 'nope.js']) {
    assert.equal(assets.appAsset(path), undefined, path);
  }
});
