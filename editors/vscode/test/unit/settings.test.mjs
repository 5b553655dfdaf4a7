// The settings in package.json must be exactly what config/schema.json
// describes, so that they cannot drift from what the server reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { extensionSettings, generate, omitted, packagePath, schemaPath } from '../../scripts/gen-settings.mjs';
import { load } from './load.mjs';

const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const pkg = JSON.parse(readFileSync(packagePath, 'utf8'));
const contributed = Object.assign({}, ...pkg.contributes.configuration.map((s) => s.properties));

test('package.json settings are generated from config/schema.json', () => {
  assert.deepEqual(
    pkg.contributes.configuration,
    generate(schema),
    'package.json is stale: run `npm run gen:settings` in editors/vscode',
  );
});

test('every key of the schema has a setting with its description, enum and default', () => {
  for (const [top, node] of Object.entries(schema.properties)) {
    if (top in omitted) {
      assert.ok(!Object.keys(contributed).some((k) => k.startsWith(`switchyard.${top}`)), `${top} must not be offered`);
      continue;
    }
    const leaves = node.properties ? Object.entries(node.properties).map(([k, v]) => [`switchyard.${top}.${k}`, v]) : [[`switchyard.${top}`, node]];
    for (const [key, leaf] of leaves) {
      const s = contributed[key];
      assert.ok(s, `${key} is missing from package.json`);
      assert.equal(s.description, leaf.description, `${key} description`);
      assert.deepEqual(s.type, leaf.type, `${key} type`);
      assert.deepEqual(s.enum, leaf.enum, `${key} enum`);
      if ('default' in leaf) assert.deepEqual(s.default, leaf.default, `${key} default`);
      assert.equal(s.minimum, leaf.minimum, `${key} minimum`);
      assert.equal(s.maximum, leaf.maximum, `${key} maximum`);
    }
  }
});

test('nested enums reach settings.json validation', () => {
  const fim = contributed['switchyard.models'].additionalProperties.properties.fim;
  assert.deepEqual(fim.enum, schema.properties.models.additionalProperties.properties.fim.enum);
  const type = contributed['switchyard.providers'].additionalProperties.properties.type;
  assert.deepEqual(type.enum, schema.properties.providers.additionalProperties.properties.type.enum);
});

test('only schema keys reach the server', () => {
  const { serverKeys } = load('serverSettings');
  const keys = serverKeys(pkg.contributes.configuration, Object.keys(extensionSettings));
  assert.ok(keys.includes('routes.completion'));
  assert.ok(keys.includes('providers'));
  for (const k of keys) {
    const top = k.split('.')[0];
    assert.ok(top in schema.properties, `${k} is not a server key`);
  }
  for (const own of Object.keys(extensionSettings)) {
    assert.ok(!keys.includes(own.slice('switchyard.'.length)), `${own} must stay in the extension`);
  }
});

test('the extension reads the same list of its own settings as the generator writes', () => {
  const src = readFileSync(new URL('../../src/extension.ts', import.meta.url), 'utf8');
  const m = src.match(/extensionOwnSettings = \[([^\]]*)\]/);
  assert.ok(m, 'extensionOwnSettings not found in src/extension.ts');
  const listed = [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
  assert.deepEqual(listed.sort(), Object.keys(extensionSettings).sort());
});
