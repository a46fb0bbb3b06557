import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadModule } from './worker-thread.ts';

test('the compiled build starts the compiled thread module; the sources start the TypeScript one', () => {
  const source = new URL('file:///srv/usms/dist/delivery/thread.ts');
  assert.equal(threadModule(source, true).href, 'file:///srv/usms/dist/delivery/thread.js');
  assert.equal(threadModule(source, false).href, source.href);
  // Only the extension of the file changes.
  assert.equal(threadModule(new URL('file:///srv/a.ts/b/thread.ts'), true).href, 'file:///srv/a.ts/b/thread.js');
});
