// Next-edit suggestions (switchyard/nextEdit): the pure part, with no
// vscode import, so that node --test can check it. It reads the server's
// answer, checks it against the document it is for, and works out what
// the editor shows (struck-through text, new text after it, a jump hint)
// and what Tab does next.
//
// The request, its result and its rules are fixed by the server's
// protocol (README, "Next-edit suggestions"): position and document
// version in; null, or the edits and the version they apply to, out.

export const method = 'switchyard/nextEdit';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface NextEditResult {
  uri: string;
  version: number;
  edits: TextEdit[];
}

export interface NextEditParams {
  textDocument: { uri: string; version: number };
  position: Position;
}

// supported reads the capability the server announces in its initialize
// result: capabilities.experimental.switchyard.nextEdit.
export function supported(capabilities: { experimental?: unknown } | undefined): boolean {
  const exp = capabilities?.experimental as { switchyard?: { nextEdit?: unknown } } | undefined;
  return exp?.switchyard?.nextEdit === true;
}

function isPosition(v: unknown): v is Position {
  const p = v as Position;
  return typeof p === 'object' && p !== null && Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0;
}

function isRange(v: unknown): v is Range {
  const r = v as Range;
  return typeof r === 'object' && r !== null && isPosition(r.start) && isPosition(r.end);
}

export function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

// isResult says whether v is a well-formed answer with at least one edit:
// edits in document order, each range the right way round, none
// overlapping the next. Anything else (null included) shows nothing.
export function isResult(v: unknown): v is NextEditResult {
  const r = v as NextEditResult;
  if (typeof r !== 'object' || r === null || typeof r.uri !== 'string' || !Number.isInteger(r.version) || !Array.isArray(r.edits)) {
    return false;
  }
  if (r.edits.length === 0) return false;
  let last: Position | undefined;
  for (const e of r.edits) {
    if (typeof e !== 'object' || e === null || !isRange(e.range) || typeof e.newText !== 'string') return false;
    if (before(e.range.end, e.range.start)) return false;
    if (last && before(e.range.start, last)) return false;
    last = e.range.end;
  }
  return true;
}

// Doc is what the pure code needs of a document: where it is, its
// version, and its lines (for the text an edit removes).
export interface Doc {
  uri: string;
  version: number;
  lineCount: number;
  lineAt(line: number): string;
}

// applies says whether the edits of r may be applied to doc: the same
// document, still at the version they were predicted against, and every
// range inside it. A late answer never lands on newer typing.
export function applies(r: NextEditResult, doc: Doc): boolean {
  if (r.uri !== doc.uri || r.version !== doc.version) return false;
  return r.edits.every((e) => e.range.end.line < doc.lineCount && e.range.end.character <= doc.lineAt(e.range.end.line).length);
}

// textIn is the text of doc inside range, lines joined with "\n".
export function textIn(doc: Doc, range: Range): string {
  if (range.start.line === range.end.line) {
    return doc.lineAt(range.start.line).slice(range.start.character, range.end.character);
  }
  const parts = [doc.lineAt(range.start.line).slice(range.start.character)];
  for (let l = range.start.line + 1; l < range.end.line; l++) parts.push(doc.lineAt(l));
  parts.push(doc.lineAt(range.end.line).slice(0, range.end.character));
  return parts.join('\n');
}

// Shown is one edit as the editor draws it: the removed text struck
// through over its range, the new text after it. Newlines in the new
// text are drawn as "⏎", since a decoration holds one line.
export interface Shown {
  range: Range;
  removed: string;
  inserted: string;
  label: string;
}

// Suggestion is an answer ready to show: the edits, how each is drawn,
// and the lines they span.
export interface Suggestion {
  result: NextEditResult;
  shown: Shown[];
  firstLine: number;
  lastLine: number;
}

// word says whether c is part of a word: an identifier character or any
// letter.
function word(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_$]/u.test(c);
}

// trimmed drops the whole words an edit keeps unchanged at its ends, so
// that a server that sends a whole rewritten line strikes through only
// the word that changes. Pure display: the edits applied are the
// server's own.
function trimmed(removed: string, inserted: string): { head: string; removed: string; inserted: string } {
  let a = 0;
  while (a < removed.length && a < inserted.length && removed[a] === inserted[a]) a++;
  let b = 0;
  while (b < removed.length - a && b < inserted.length - a && removed[removed.length - 1 - b] === inserted[inserted.length - 1 - b]) b++;
  // Whole words: "count" to "amount" strikes through "count", not "c".
  while (a > 0 && word(removed[a - 1]) && (word(removed[a]) || word(inserted[a]))) a--;
  while (b > 0 && word(removed[removed.length - b]) && (word(removed[removed.length - 1 - b]) || word(inserted[inserted.length - 1 - b]))) b--;
  return { head: removed.slice(0, a), removed: removed.slice(a, removed.length - b), inserted: inserted.slice(a, inserted.length - b) };
}

// advance moves p over text.
function advance(p: Position, text: string): Position {
  const lines = text.split('\n');
  if (lines.length === 1) return { line: p.line, character: p.character + text.length };
  return { line: p.line + lines.length - 1, character: lines[lines.length - 1].length };
}

// suggestion turns an answer into what the editor shows, or undefined
// when it does not apply to doc (another document, another version, a
// range outside it) or changes nothing.
export function suggestion(r: unknown, doc: Doc): Suggestion | undefined {
  if (!isResult(r) || !applies(r, doc)) return undefined;
  const shown: Shown[] = [];
  for (const e of r.edits) {
    const old = textIn(doc, e.range);
    if (old === e.newText) continue;
    // An edit that starts or ends inside a word ("c" to "am" in "count")
    // is shown over the whole word.
    const first = doc.lineAt(e.range.start.line);
    const last = doc.lineAt(e.range.end.line);
    let sc = e.range.start.character;
    let ec = e.range.end.character;
    if (word(old[0]) || word(e.newText[0])) while (sc > 0 && word(first[sc - 1])) sc--;
    if (word(old[old.length - 1]) || word(e.newText[e.newText.length - 1])) while (ec < last.length && word(last[ec])) ec++;
    const head = first.slice(sc, e.range.start.character);
    const tail = last.slice(e.range.end.character, ec);
    const t = trimmed(head + old + tail, head + e.newText + tail);
    const start = advance({ line: e.range.start.line, character: sc }, t.head);
    const end = advance(start, t.removed);
    const inserted = t.inserted.replace(/\r?\n/g, '⏎');
    shown.push({ range: { start, end }, removed: t.removed, inserted, label: inserted });
  }
  if (shown.length === 0) return undefined;
  return {
    result: r,
    shown,
    firstLine: r.edits[0].range.start.line,
    lastLine: r.edits[r.edits.length - 1].range.end.line,
  };
}

// Lines of the editor in view, first and last, both included.
export interface Visible {
  start: number;
  end: number;
}

// offScreen says whether no line of the suggestion is in view.
export function offScreen(s: Suggestion, visible: readonly Visible[]): boolean {
  return !visible.some((v) => v.start <= s.lastLine && s.firstLine <= v.end);
}

// near says whether the cursor is on the suggestion's lines or the line
// next to them: there Tab applies it at once (the line just renamed and
// the use below it); farther away Tab first jumps to it.
export function near(s: Suggestion, cursorLine: number): boolean {
  return cursorLine >= s.firstLine - 1 && cursorLine <= s.lastLine + 1;
}

// tabAction is what Tab does with a suggestion shown.
export function tabAction(s: Suggestion, cursorLine: number, visible: readonly Visible[]): 'jump' | 'apply' {
  return offScreen(s, visible) || !near(s, cursorLine) ? 'jump' : 'apply';
}

// hint is the text that says where the suggestion is and which key takes
// it, for the jump hint at the cursor and the status bar.
export function hint(s: Suggestion, cursorLine: number, visible: readonly Visible[]): string {
  const where = `line ${s.firstLine + 1}`;
  if (tabAction(s, cursorLine, visible) === 'jump') {
    const arrow = s.firstLine < cursorLine ? '↑' : '↓';
    return `${arrow} Tab: go to the next edit at ${where}`;
  }
  return `Tab: apply the next edit at ${where}, Escape: dismiss`;
}

// durationMs reads a duration setting the way the server does: a number
// of milliseconds, or Go's duration syntax ("300ms", "1.5s", "1m30s").
// Anything unreadable gives fallback.
export function durationMs(v: unknown, fallback: number): number {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : fallback;
  if (typeof v !== 'string') return fallback;
  const s = v.trim();
  if (/^[0-9]+(\.[0-9]*)?$/.test(s)) return Number(s);
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let at = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]];
    at = re.lastIndex;
  }
  return at === s.length && at > 0 ? total : fallback;
}

// The defaults of [next_edit] in the server's schema.
export const defaultDebounceMs = 300;

// turnedOn says whether to ask for next edits: the editor setting when the
// user set one, otherwise what the server's status says, since
// [next_edit] enabled in config.toml turns them on too. setting is the
// value the user set (undefined when they set none).
export function turnedOn(setting: unknown, status: { nextEdit?: unknown } | undefined): boolean {
  if (typeof setting === 'boolean') return setting;
  return status?.nextEdit !== undefined && status.nextEdit !== null;
}

// debounceFor is the pause to wait before asking: the editor setting when
// the user set one, otherwise the server's, otherwise the default.
export function debounceFor(setting: unknown, status: { nextEdit?: { debounceMs?: unknown } } | undefined): number {
  if (setting !== undefined && setting !== null) return durationMs(setting, defaultDebounceMs);
  const ms = status?.nextEdit?.debounceMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : defaultDebounceMs;
}
