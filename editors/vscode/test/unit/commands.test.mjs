import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from './load.mjs';

const { findServerCommand, imagePathAt, notOffered, needsInstruction, decisionMarkdown, isDecision } = load('serverCommands');
const { findServer, platformDir } = load('findServer');

test('server commands are found by their names', () => {
  const offered = ['switchyard.runAction', 'switchyard.implementFromImage', 'switchyard.explainRoute'];
  assert.equal(findServerCommand(offered, 'runAction'), 'switchyard.runAction');
  assert.equal(findServerCommand(offered, 'image'), 'switchyard.implementFromImage');
  assert.equal(findServerCommand(offered, 'explainRoute'), 'switchyard.explainRoute');
  assert.equal(findServerCommand(['switchyard.runAction'], 'explainRoute'), undefined);
  assert.match(notOffered('explaining a route', ['switchyard.runAction']), /does not implement explaining a route yet\. It offers: switchyard\.runAction\./);
});

test('the instruction is asked for only where the server needs one', () => {
  const at = (action, extra = {}) => ({ action, uri: 'file:///a.py', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, ...extra });
  const user = [{ name: 'translate', prompt: 'Translate {selection} as {instruction}' }, { name: 'shout', prompt: 'Uppercase {selection}' }];
  const table = [
    [at('rewrite'), true],
    [at('refactor'), true],
    [at('rewrite', { instruction: 'make it iterative' }), false],
    [at('document'), false],
    [at('explain'), false],
    [at('user:translate'), true],
    [at('user:shout'), false],
    [at('user:unknown'), false],
  ];
  for (const [data, want] of table) assert.equal(needsInstruction(data, user), want, JSON.stringify(data));
});

test('a route decision reads as the model tried first, the fallbacks and the removed', () => {
  const d = {
    task: 'completion',
    pinned: true,
    online: true,
    candidates: [
      { model: 'coder', provider: 'local', local: true, kept: true, ttft_ms: 120 },
      { model: 'gpt', provider: 'openai', kept: true },
      { model: 'claude', provider: 'anthropic', kept: false, rule: 'policy.jurisdictions', reason: 'processed in US, policy allows EU' },
    ],
    picked: 'coder',
  };
  assert.ok(isDecision(d));
  assert.ok(!isDecision({ model: 'x' }));
  const md = decisionMarkdown(d, 'src/a.py');
  assert.match(md, /^# Route for completion in src\/a\.py/);
  assert.match(md, /Model called first: \*\*coder\*\*\. Online\./);
  assert.match(md, /switchyard\.routes\.completion/);
  assert.match(md, /1\. coder via local \(local, first token in about 120 ms\)\n2\. gpt via openai \(remote\)/);
  assert.match(md, /- claude via anthropic: processed in US, policy allows EU \(`policy\.jurisdictions`\)/);
  assert.match(decisionMarkdown({ task: 'image', online: false, candidates: [], problem: 'no model has vision' }), /\*\*none\*\*\. Offline.*\n\nNo candidates: no model has vision/s);
});

test('the image at the cursor is found in Markdown, HTML and code', () => {
  const table = [
    ['![login](img/login.png)', 5, 'img/login.png'],
    ['<img src="./mock.jpg" alt="x">', 3, './mock.jpg'],
    ['load("assets/ui mock.webp")', 10, 'assets/ui mock.webp'],
    ['see docs/shot.PNG for the layout', 0, 'docs/shot.PNG'],
    ['a.png and b.png', 12, 'b.png'],
    ['no image here', 3, undefined],
  ];
  for (const [line, col, want] of table) assert.equal(imagePathAt(line, col), want, line);
});

test('the server is found from the setting, then PATH, then the extension', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-find-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const exe = (p) => {
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, '#!/bin/sh\n');
    chmodSync(p, 0o755);
    return p;
  };
  const fromSetting = exe(join(dir, 'custom', 'switchyard'));
  const onPath = exe(join(dir, 'path', 'switchyard'));
  const ext = join(dir, 'ext');
  const bundled = join(ext, 'bin', platformDir(), 'switchyard');
  mkdirSync(join(bundled, '..'), { recursive: true });
  writeFileSync(bundled, '#!/bin/sh\n');
  chmodSync(bundled, 0o644); // as an archive may leave it

  assert.deepEqual(findServer(fromSetting, ext, join(dir, 'path')), { path: fromSetting, from: 'setting' });
  assert.deepEqual(findServer('', ext, join(dir, 'path')), { path: onPath, from: 'PATH' });
  assert.deepEqual(findServer('', ext, join(dir, 'empty')), { path: bundled, from: 'bundled' });
  assert.throws(() => findServer(join(dir, 'nope'), ext, ''), /switchyard\.path is ".*nope", but no executable file is there/);
  assert.throws(() => findServer('relative/switchyard', ext, ''), /not an absolute path/);
  assert.throws(() => findServer('', join(dir, 'noext'), ''), /No switchyard binary found.*switchyard\.path/);
});
