import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { supported, isResult, applies, suggestion, offScreen, near, tabAction, hint, durationMs, textIn, turnedOn, debounceFor } = load('nextEdit');

// doc is a document as the pure code sees it.
function doc(text, { uri = 'file:///w/calc.py', version = 7 } = {}) {
  const lines = text.split('\n');
  return { uri, version, lineCount: lines.length, lineAt: (l) => lines[l] };
}

const at = (sl, sc, el, ec) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

// After renaming count to total on line 0, the server suggests the
// matching change on line 1.
const renamed = 'def add(total, b):\n    return count + b\n';
const answer = { uri: 'file:///w/calc.py', version: 7, edits: [{ range: at(1, 11, 1, 16), newText: 'total' }] };

test('the capability is read from experimental.switchyard.nextEdit', () => {
  assert.equal(supported({ experimental: { switchyard: { nextEdit: true } } }), true);
  assert.equal(supported({ experimental: { switchyard: { nextEdit: false } } }), false);
  assert.equal(supported({ experimental: { switchyard: {} } }), false);
  assert.equal(supported({}), false);
  assert.equal(supported(undefined), false);
});

test('only a well-formed answer with edits in order counts', () => {
  assert.ok(isResult(answer));
  const table = [
    [null, 'null'],
    [{ ...answer, edits: [] }, 'no edits'],
    [{ ...answer, version: '7' }, 'version not a number'],
    [{ ...answer, edits: [{ range: at(1, 16, 1, 11), newText: 'x' }] }, 'range backwards'],
    [{ ...answer, edits: [{ range: at(2, 0, 2, 1), newText: 'x' }, { range: at(1, 0, 1, 1), newText: 'y' }] }, 'out of order'],
    [{ ...answer, edits: [{ range: at(1, 0, 1, 5), newText: 'x' }, { range: at(1, 4, 1, 6), newText: 'y' }] }, 'overlapping'],
    [{ ...answer, edits: [{ range: at(1, -1, 1, 2), newText: 'x' }] }, 'negative character'],
    [{ ...answer, edits: [{ range: at(1, 0, 1, 2) }] }, 'no newText'],
  ];
  for (const [v, why] of table) assert.equal(isResult(v), false, why);
  // Touching edits (one ends where the next starts) are fine.
  assert.ok(isResult({ ...answer, edits: [{ range: at(1, 0, 1, 2), newText: 'x' }, { range: at(1, 2, 1, 4), newText: 'y' }] }));
});

test('edits apply only to the same document at the same version', () => {
  assert.ok(applies(answer, doc(renamed)));
  assert.equal(applies(answer, doc(renamed, { version: 8 })), false, 'the user typed on');
  assert.equal(applies(answer, doc(renamed, { uri: 'file:///w/other.py' })), false, 'another document');
  assert.equal(applies({ ...answer, edits: [{ range: at(5, 0, 5, 0), newText: 'x' }] }, doc(renamed)), false, 'past the last line');
  assert.equal(applies({ ...answer, edits: [{ range: at(1, 0, 1, 40), newText: 'x' }] }, doc(renamed)), false, 'past the end of the line');
  assert.equal(suggestion(answer, doc(renamed, { version: 8 })), undefined, 'nothing is shown for an old version');
});

test('a rename suggestion strikes through the old name and shows the new one after it', () => {
  const s = suggestion(answer, doc(renamed));
  assert.deepEqual(s.shown, [{ range: at(1, 11, 1, 16), removed: 'count', inserted: 'total', label: 'total' }]);
  assert.equal(s.firstLine, 1);
  assert.equal(s.lastLine, 1);
});

test('an edit inside a word is shown over the whole word', () => {
  // What a server that diffs by character sends for count -> counter.
  const minimal = { ...answer, edits: [{ range: at(1, 16, 1, 16), newText: 'er' }] };
  assert.deepEqual(suggestion(minimal, doc(renamed)).shown, [{ range: at(1, 11, 1, 16), removed: 'count', inserted: 'counter', label: 'counter' }]);
  const c2am = { ...answer, edits: [{ range: at(1, 11, 1, 12), newText: 'am' }] };
  assert.deepEqual(suggestion(c2am, doc(renamed)).shown, [{ range: at(1, 11, 1, 16), removed: 'count', inserted: 'amount', label: 'amount' }]);
  // Between words, nothing is widened.
  const plus = { ...answer, edits: [{ range: at(1, 17, 1, 18), newText: '-' }] };
  assert.deepEqual(suggestion(plus, doc(renamed)).shown, [{ range: at(1, 17, 1, 18), removed: '+', inserted: '-', label: '-' }]);
});

test('what an edit keeps unchanged is not struck through', () => {
  // The server rewrote the whole line; only "count" changes.
  const whole = { ...answer, edits: [{ range: at(1, 0, 1, 20), newText: '    return total + b' }] };
  assert.equal(textIn(doc(renamed), at(1, 0, 1, 20)), '    return count + b');
  const s = suggestion(whole, doc(renamed));
  assert.deepEqual(s.shown, [{ range: at(1, 11, 1, 16), removed: 'count', inserted: 'total', label: 'total' }]);
  // The edit applied is still the server's own.
  assert.deepEqual(s.result.edits, whole.edits);
});

test('new lines are drawn on one line, and an edit that changes nothing is not shown', () => {
  const text = 'class P:\n    def __init__(self, x):\n        self.x = x\n';
  const add = { uri: 'file:///w/calc.py', version: 7, edits: [{ range: at(2, 18, 2, 18), newText: '\n        self.y = 0' }] };
  const s = suggestion(add, doc(text));
  assert.deepEqual(s.shown, [{ range: at(2, 18, 2, 18), removed: '', inserted: '⏎        self.y = 0', label: '⏎        self.y = 0' }]);
  const same = { ...add, edits: [{ range: at(2, 0, 2, 18), newText: '        self.x = x' }] };
  assert.equal(suggestion(same, doc(text)), undefined);
  // Across lines: the removed text spans them.
  const join = { ...add, edits: [{ range: at(1, 26, 2, 18), newText: ' self.x = x' }] };
  assert.deepEqual(suggestion(join, doc(text)).shown, [{ range: at(1, 26, 2, 7), removed: '\n       ', inserted: '', label: '' }]);
});

test('Tab applies next to the cursor and jumps when away or out of view', () => {
  const s = suggestion(answer, doc(renamed));
  const all = [{ start: 0, end: 40 }];
  assert.ok(near(s, 0) && near(s, 1) && near(s, 2));
  assert.equal(near(s, 5), false);
  assert.equal(tabAction(s, 0, all), 'apply', 'the line just renamed, above the use');
  assert.equal(tabAction(s, 1, all), 'apply');
  assert.equal(tabAction(s, 9, all), 'jump', 'far below');
  assert.ok(offScreen(s, [{ start: 30, end: 70 }]));
  assert.equal(offScreen(s, all), false);
  assert.equal(tabAction(s, 1, [{ start: 30, end: 70 }]), 'jump', 'out of view, even on its line');
  assert.equal(hint(s, 9, all), '↑ Tab: go to the next edit at line 2');
  assert.equal(hint(s, 0, [{ start: 30, end: 70 }]), '↓ Tab: go to the next edit at line 2');
  assert.equal(hint(s, 0, all), 'Tab: apply the next edit at line 2, Escape: dismiss');
});

test('debounce is read as the server reads durations', () => {
  const table = [
    ['300ms', 300],
    ['1.5s', 1500],
    ['1m30s', 90_000],
    ['250', 250],
    [120, 120],
    ['500us', 0.5],
    ['', 300],
    ['soon', 300],
    ['300 ms', 300],
    [undefined, 300],
    [-5, 300],
  ];
  for (const [v, want] of table) assert.equal(durationMs(v, 300), want, JSON.stringify(v));
});

test('the editor setting decides when set; otherwise the server status, so config.toml alone turns next edits on', () => {
  const on = { model: 'm', online: true, nextEdit: { debounceMs: 250 } };
  const off = { model: 'm', online: true };
  assert.equal(turnedOn(undefined, on), true);
  assert.equal(turnedOn(undefined, off), false);
  assert.equal(turnedOn(undefined, undefined), false);
  assert.equal(turnedOn(false, on), false);
  assert.equal(turnedOn(true, off), true);
  assert.equal(debounceFor(undefined, on), 250);
  assert.equal(debounceFor('1s', on), 1000);
  assert.equal(debounceFor(undefined, off), 300);
  assert.equal(debounceFor(undefined, { nextEdit: { debounceMs: -1 } }), 300);
});
