// Next-edit suggestions in the editor: after a pause in typing, asks the
// server for switchyard/nextEdit at the cursor, draws the answer (the
// text it removes struck through, the text it adds after it, a jump hint
// when it is out of view or away from the cursor), and lets Tab go to it
// and apply it as one undoable step. Escape or any edit dismisses it.
//
// Off unless next edits are turned on (switchyard.next_edit.enabled, or
// [next_edit] enabled in config.toml, which the server's status reports)
// and the server announces the capability: each pause in typing costs a
// model call.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import {
  Doc,
  NextEditParams,
  Suggestion,
  Visible,
  debounceFor,
  hint,
  method,
  suggestion,
  supported,
  tabAction,
  turnedOn,
} from './nextEdit';
import { Status, effective } from './serverSettings';

// The context key the Tab and Escape keybindings test, so that both keep
// their usual meaning while no suggestion is shown.
export const contextKey = 'switchyard.nextEditShown';

interface Shown {
  editor: vscode.TextEditor;
  suggestion: Suggestion;
}

export class NextEdits implements vscode.Disposable {
  private readonly removed: vscode.TextEditorDecorationType;
  private readonly inserted: vscode.TextEditorDecorationType;
  private readonly jump: vscode.TextEditorDecorationType;
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: vscode.CancellationTokenSource | undefined;
  private shown: Shown | undefined;

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly status: () => Status | undefined,
  ) {
    this.removed = vscode.window.createTextEditorDecorationType({
      textDecoration: 'line-through',
      backgroundColor: new vscode.ThemeColor('diffEditor.removedTextBackground'),
    });
    this.inserted = vscode.window.createTextEditorDecorationType({
      after: {
        color: new vscode.ThemeColor('editorGhostText.foreground'),
        backgroundColor: new vscode.ThemeColor('diffEditor.insertedTextBackground'),
        margin: '0 0 0 0.2em',
      },
    });
    this.jump = vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorGhostText.foreground'), margin: '0 0 0 2em' },
      isWholeLine: true,
    });
    this.item = vscode.window.createStatusBarItem('switchyard.nextEdit', vscode.StatusBarAlignment.Right, 99);
    this.item.name = 'Switchyard next edit';
    this.item.command = 'switchyard.nextEdit.accept';
    this.disposables.push(
      this.removed,
      this.inserted,
      this.jump,
      this.item,
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e)),
      vscode.window.onDidChangeActiveTextEditor(() => this.dismiss()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (this.shown?.editor === e.textEditor) this.draw();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (this.shown?.editor === e.textEditor) this.draw();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('switchyard.next_edit') && !this.enabled()) this.dismiss();
      }),
      vscode.commands.registerCommand('switchyard.nextEdit.accept', () => this.accept()),
      vscode.commands.registerCommand('switchyard.nextEdit.dismiss', () => this.dismiss()),
    );
    void vscode.commands.executeCommand('setContext', contextKey, false);
  }

  private settings(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('switchyard');
  }

  enabled(): boolean {
    return turnedOn(effective(this.settings().inspect('next_edit.enabled')), this.status());
  }

  private available(): LanguageClient | undefined {
    const c = this.client();
    if (!c || !this.enabled() || !c.isRunning() || !supported(c.initializeResult?.capabilities)) return undefined;
    return c;
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    if (this.shown?.editor.document === e.document) this.dismiss();
    const editor = vscode.window.activeTextEditor;
    if (editor?.document !== e.document) return;
    this.cancel();
    if (!this.available()) return;
    const wait = debounceFor(effective(this.settings().inspect('next_edit.debounce')), this.status());
    this.timer = setTimeout(() => void this.request(editor), wait);
  }

  // cancel stops the pause timer and the request in flight; the language
  // client sends $/cancelRequest for it.
  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.cancel();
    this.inFlight?.dispose();
    this.inFlight = undefined;
  }

  private async request(editor: vscode.TextEditor): Promise<void> {
    const c = this.available();
    if (!c || vscode.window.activeTextEditor !== editor) return;
    this.cancel();
    const source = new vscode.CancellationTokenSource();
    this.inFlight = source;
    const doc = editor.document;
    const params: NextEditParams = {
      textDocument: { uri: c.code2ProtocolConverter.asUri(doc.uri), version: doc.version },
      position: c.code2ProtocolConverter.asPosition(editor.selection.active),
    };
    let answer: unknown;
    try {
      answer = await c.sendRequest(method, params, source.token);
    } catch (err) {
      // Cancelled or superseded: nothing to show. Other failures reach
      // the server's log and status; the editor stays quiet.
      if (!source.token.isCancellationRequested) c.outputChannel.appendLine(`switchyard/nextEdit: ${err instanceof Error ? err.message : String(err)}`);
      return;
    } finally {
      if (this.inFlight === source) this.inFlight = undefined;
      source.dispose();
    }
    if (source.token.isCancellationRequested || vscode.window.activeTextEditor !== editor) return;
    const s = suggestion(answer, asDoc(c, doc));
    if (!s) return;
    this.shown = { editor, suggestion: s };
    this.draw();
  }

  // draw shows the suggestion, and where Tab will take the user.
  private draw(): void {
    const sh = this.shown;
    if (!sh) return;
    const { editor, suggestion: s } = sh;
    const range = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
      new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    editor.setDecorations(
      this.removed,
      s.shown.filter((x) => x.removed !== '').map((x) => ({ range: range(x.range), hoverMessage: diffHover(x.removed, x.inserted) })),
    );
    editor.setDecorations(
      this.inserted,
      s.shown
        .filter((x) => x.inserted !== '')
        .map((x) => ({
          range: range(x.range),
          hoverMessage: diffHover(x.removed, x.inserted),
          renderOptions: { after: { contentText: x.label } },
        })),
    );
    const cursor = editor.selection.active.line;
    const visible = visibleLines(editor);
    const text = hint(s, cursor, visible);
    if (tabAction(s, cursor, visible) === 'jump') {
      editor.setDecorations(this.jump, [{ range: new vscode.Range(cursor, 0, cursor, 0), renderOptions: { after: { contentText: text } } }]);
    } else {
      editor.setDecorations(this.jump, []);
    }
    this.item.text = `$(arrow-swap) ${text}`;
    this.item.tooltip = 'Switchyard: a suggested next edit. Tab goes to it, then applies it; Escape dismisses it.';
    this.item.show();
    void vscode.commands.executeCommand('setContext', contextKey, true);
  }

  dismiss(): void {
    this.cancel();
    if (!this.shown) return;
    const { editor } = this.shown;
    this.shown = undefined;
    for (const d of [this.removed, this.inserted, this.jump]) editor.setDecorations(d, []);
    this.item.hide();
    void vscode.commands.executeCommand('setContext', contextKey, false);
  }

  // accept is Tab: away from the cursor or out of view, go to the
  // suggestion; at it, apply every edit as one undoable step, if the
  // document is still at the version the edits were made for.
  async accept(): Promise<void> {
    const sh = this.shown;
    const c = this.client();
    if (!sh || !c) return;
    const { editor, suggestion: s } = sh;
    if (vscode.window.activeTextEditor !== editor) {
      this.dismiss();
      return;
    }
    const cursor = editor.selection.active.line;
    if (tabAction(s, cursor, visibleLines(editor)) === 'jump') {
      const first = s.shown[0].range.start;
      const at = new vscode.Position(first.line, first.character);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      this.draw();
      return;
    }
    if (!suggestion(s.result, asDoc(c, editor.document))) {
      // Changed since the answer came: it no longer applies.
      this.dismiss();
      return;
    }
    // The edit is a change like any other: it asks for the edit after
    // this one once the pause has passed.
    this.dismiss();
    await editor.edit(
      (b) => {
        for (const e of s.result.edits) {
          b.replace(new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
        }
      },
      { undoStopBefore: true, undoStopAfter: true },
    );
  }

  dispose(): void {
    this.cancel();
    for (const d of this.disposables) d.dispose();
  }
}

function asDoc(c: LanguageClient, doc: vscode.TextDocument): Doc {
  return {
    uri: c.code2ProtocolConverter.asUri(doc.uri),
    version: doc.version,
    lineCount: doc.lineCount,
    lineAt: (l) => doc.lineAt(l).text,
  };
}

function visibleLines(editor: vscode.TextEditor): Visible[] {
  return editor.visibleRanges.map((r) => ({ start: r.start.line, end: r.end.line }));
}

function diffHover(removed: string, inserted: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString('**Switchyard: next edit** (Tab to apply, Escape to dismiss)\n');
  const lines = [...(removed ? removed.split('\n').map((l) => `- ${l}`) : []), ...(inserted ? inserted.split('\n').map((l) => `+ ${l}`) : [])];
  md.appendCodeblock(lines.join('\n'), 'diff');
  return md;
}
