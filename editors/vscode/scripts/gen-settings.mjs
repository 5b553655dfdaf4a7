#!/usr/bin/env node
// Generates contributes.configuration in package.json from the server's
// JSON Schema (config/schema.json), so that the settings VS Code offers are
// exactly the keys the server reads, with the server's descriptions, enums,
// defaults and bounds.
//
//   node scripts/gen-settings.mjs          rewrite package.json
//   node scripts/gen-settings.mjs --check  exit 1 if package.json is stale
//
// Tables with fixed keys (routes, completion, policy, log) become one
// setting per key, "switchyard.completion.debounce", which the Settings
// editor can show and edit. Tables keyed by the user's own names
// (providers, models) and lists ([[actions]]) become one setting each,
// whose entries settings.json validates against the schema. [trust] is left out: the
// server ignores it from editor settings, because those may come from a
// repository's own .vscode/settings.json.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const extensionDir = join(here, '..');
export const schemaPath = join(extensionDir, '..', '..', 'config', 'schema.json');
export const packagePath = join(extensionDir, 'package.json');

// Top-level schema keys the editor must not offer, and why.
export const omitted = {
  trust: 'only the user configuration file may list trusted folders',
};

// Settings the extension itself reads; the server never sees them.
export const extensionSettings = {
  'switchyard.path': {
    type: 'string',
    default: '',
    scope: 'machine',
    markdownDescription:
      'Path to the `switchyard` binary. Empty: use `switchyard` from `PATH`, else the binary shipped with the extension. Changing it restarts the server.',
    order: 0,
  },
  'switchyard.completionList': {
    type: 'boolean',
    default: false,
    markdownDescription:
      'Also offer suggestions in the completion list (`Ctrl+Space`). Ghost text is the main surface in VS Code; with this off, a keystroke asks a model once, not twice.',
    order: 1,
  },
  'switchyard.trace.server': {
    type: 'string',
    enum: ['off', 'messages', 'verbose'],
    default: 'off',
    scope: 'window',
    description: 'Trace the LSP messages between VS Code and the server in the Switchyard output channel.',
    order: 2,
  },
};

// Schema keywords that carry over to a VS Code setting.
const carried = ['type', 'description', 'enum', 'default', 'minimum', 'maximum', 'pattern', 'required', 'items', 'properties', 'additionalProperties'];

// setting converts one schema node to a setting (or sub-schema) node,
// keeping only what VS Code understands, recursively.
function setting(node) {
  const out = {};
  for (const k of carried) {
    if (!(k in node)) continue;
    const v = node[k];
    if (k === 'items' || k === 'additionalProperties') {
      out[k] = typeof v === 'object' ? setting(v) : v;
    } else if (k === 'properties') {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, setting(sub)]));
    } else {
      out[k] = structuredClone(v);
    }
  }
  if (typeof node.pattern === 'string') {
    out.patternErrorMessage = 'Use a duration such as "150ms", "4s" or "1m30s", or a number of milliseconds.';
  }
  return out;
}

function title(key) {
  return {
    providers: 'Providers',
    models: 'Models',
    routes: 'Routes',
    completion: 'Completion',
    policy: 'Data policy',
    log: 'Server log',
    actions: 'Code actions',
  }[key] ?? key[0].toUpperCase() + key.slice(1);
}

// generate returns the contributes.configuration array for a schema.
export function generate(schema) {
  const sections = [
    { id: 'switchyard', title: 'Switchyard', properties: structuredClone(extensionSettings) },
  ];
  let order = 0;
  for (const [key, node] of Object.entries(schema.properties)) {
    if (key in omitted) continue;
    const properties = {};
    if (node.properties) {
      // A table with fixed keys: one setting per key.
      for (const [sub, leaf] of Object.entries(node.properties)) {
        properties[`switchyard.${key}.${sub}`] = { ...setting(leaf), order: order++ };
      }
    } else {
      // A table of named entries, or a list: one setting, edited in
      // settings.json, which validates it against the schema.
      const def = node.type === 'object' ? { default: {} } : {};
      properties[`switchyard.${key}`] = { ...setting(node), ...def, order: order++ };
    }
    sections.push({ id: `switchyard.${key}`, title: `Switchyard: ${title(key)}`, properties });
  }
  return sections;
}

// serverKeys lists the setting names, below "switchyard.", that the
// server reads: everything generated from the schema.
export function serverKeys(configuration) {
  return configuration
    .flatMap((s) => Object.keys(s.properties))
    .filter((k) => !(k in extensionSettings))
    .map((k) => k.slice('switchyard.'.length));
}

function main() {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const text = readFileSync(packagePath, 'utf8');
  const pkg = JSON.parse(text);
  pkg.contributes ??= {};
  pkg.contributes.configuration = generate(schema);
  const want = JSON.stringify(pkg, null, 2) + '\n';
  if (process.argv.includes('--check')) {
    if (want !== text) {
      console.error('editors/vscode/package.json does not match config/schema.json: run `npm run gen:settings` in editors/vscode and commit the result');
      process.exit(1);
    }
    return;
  }
  if (want !== text) writeFileSync(packagePath, want);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
