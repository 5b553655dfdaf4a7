import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from './load.mjs';

const { findServerCommand, imagePathAt, notOffered } = load('serverCommands');
const { findServer, platformDir } = load('findServer');

test('server commands are matched by name, then by pattern', () => {
  assert.equal(findServerCommand(['switchyard.refactor', 'switchyard.explainRoute'], 'refactor'), 'switchyard.refactor');
  assert.equal(findServerCommand(['sy.doRefactorAll'], 'refactor'), 'sy.doRefactorAll');
  assert.equal(findServerCommand(['switchyard.refactor'], 'image'), undefined);
  assert.equal(findServerCommand([], 'explainRoute'), undefined);
  assert.match(notOffered('refactors', ['a']), /does not implement refactors yet\. It offers: a\./);
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

test('the server is found from the setting, then PATH, then the extension', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-find-'));
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
