import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { serverSettings, effective, withModelFirst, statusText, statusError } = load('serverSettings');

test('serverSettings sends only what the user set, nested like the TOML file', () => {
  const inspected = {
    // VS Code's filled-in defaults only: must not be sent.
    'routes.completion': { defaultValue: [] },
    'policy.max_retention_days': { defaultValue: 0 },
    'log.file': { defaultValue: '' },
    // Set by the user.
    'routes.refactor': { defaultValue: [], globalValue: ['big'] },
    'completion.debounce': { defaultValue: '150ms', globalValue: '300ms', workspaceValue: 80 },
    'policy.offline': { defaultValue: false, globalValue: false },
    providers: { defaultValue: {}, globalValue: { a: { type: 'openai' } }, workspaceValue: { b: { type: 'ollama' } } },
  };
  const got = serverSettings(Object.keys(inspected), (k) => inspected[k]);
  assert.deepEqual(got, {
    routes: { refactor: ['big'] },
    completion: { debounce: 80 },
    policy: { offline: false },
    providers: { a: { type: 'openai' }, b: { type: 'ollama' } },
  });
});

test('effective prefers folder over workspace over user values', () => {
  const table = [
    [{ globalValue: ['a'] }, ['a']],
    [{ globalValue: ['a'], workspaceValue: ['b'] }, ['b']],
    [{ globalValue: ['a'], workspaceValue: ['b'], workspaceFolderValue: ['c'] }, ['c']],
    [{ globalValue: { x: 1, y: 1 }, workspaceFolderValue: { y: 2 } }, { x: 1, y: 2 }],
    [{ defaultValue: 'x' }, undefined],
    [undefined, undefined],
  ];
  for (const [inspected, want] of table) assert.deepEqual(effective(inspected), want, JSON.stringify(inspected));
});

test('withModelFirst keeps the other models as fallbacks', () => {
  assert.deepEqual(withModelFirst(['a', 'b', 'c'], 'c'), ['c', 'a', 'b']);
  assert.deepEqual(withModelFirst(['a'], 'a'), ['a']);
  assert.deepEqual(withModelFirst(undefined, 'x'), ['x']);
});

test('the status bar reads model · provider · online', () => {
  const table = [
    [{ model: 'coder', provider: 'local', online: true }, 'coder · local · online'],
    [{ model: 'coder', provider: 'local', online: false }, 'coder · local · offline'],
    [{ online: true }, 'Switchyard'],
    [{ online: false }, 'Switchyard · offline'],
    [undefined, 'Switchyard'],
  ];
  for (const [s, want] of table) assert.equal(statusText(s), want);
  assert.equal(statusError({ lastError: 'provider x: 401' }), 'provider x: 401');
  assert.equal(statusError({ model: 'm' }), undefined);
});
