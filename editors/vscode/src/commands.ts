// The commands in the palette. Those that need a model call the server's
// workspace/executeCommand; those that change settings write the
// switchyard.* settings, which reach the server as a configuration change.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';

import type { Switchyard } from './extension';
import { ActionData, decisionMarkdown, findServerCommand, imagePathAt, isDecision, notOffered } from './serverCommands';
import { effective, Inspected, withModelFirst } from './serverSettings';

// The kinds of work a model can be chosen for, in the order offered;
// route is the key under switchyard.routes.
const works = [
  { route: 'completion', label: 'Completions', detail: 'Inline suggestions while typing' },
  { route: 'refactor', label: 'Refactors', detail: 'Refactors across several files' },
  { route: 'coding', label: 'Code actions', detail: 'Fix, explain, document or test a range' },
  { route: 'image', label: 'Images', detail: 'Implement from a screenshot or mockup' },
  { route: 'long_context', label: 'Long context', detail: 'Questions over a large part of the repository' },
];

export function registerCommands(context: vscode.ExtensionContext, sy: Switchyard): void {
  const reg = (id: string, f: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, f));
  reg('switchyard.chooseModel', (route?: unknown) => chooseModel(sy, typeof route === 'string' ? route : undefined));
  reg('switchyard.refactorAcrossFiles', () => refactor(sy));
  reg('switchyard.implementFromScreenshot', (uri?: unknown) => fromScreenshot(sy, uri instanceof vscode.Uri ? uri : undefined));
  reg('switchyard.explainRouteForFile', () => explainRoute(sy));
  reg('switchyard.toggleOffline', () => toggleOffline());
  reg('switchyard.showLogs', () => sy.output.show(true));
  reg('switchyard.restartServer', () => sy.restart());
}

// target is where a setting written by a command goes: where the user set
// it before, else the user settings.
function target(i: Inspected | undefined): vscode.ConfigurationTarget {
  if (i?.workspaceFolderValue !== undefined) return vscode.ConfigurationTarget.WorkspaceFolder;
  if (i?.workspaceValue !== undefined) return vscode.ConfigurationTarget.Workspace;
  return vscode.ConfigurationTarget.Global;
}

interface ModelEntry {
  provider?: string;
  id?: string;
  classes?: string[];
}

async function chooseModel(sy: Switchyard, route?: string): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('switchyard');
  const current = (r: string) => effective(cfg.inspect(`routes.${r}`)) as string[] | undefined;
  if (!route) {
    const pick = await vscode.window.showQuickPick(
      works.map((w) => ({ ...w, description: current(w.route)?.[0] ?? 'not set' })),
      { title: 'Switchyard: choose the model for…', placeHolder: 'Which work' },
    );
    if (!pick) return;
    route = pick.route;
  }

  const models = new Map<string, ModelEntry>(Object.entries((effective(cfg.inspect('models')) as Record<string, ModelEntry>) ?? {}));
  for (const name of await serverModels(sy)) if (!models.has(name)) models.set(name, {});
  for (const w of works) for (const name of current(w.route) ?? []) if (!models.has(name)) models.set(name, {});
  if (models.size === 0) {
    const open = await vscode.window.showWarningMessage(
      'Switchyard: no models are configured in the settings. Add them to switchyard.models (or to your config.toml) first.',
      'Open Settings',
    );
    if (open) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
    return;
  }
  const now = current(route) ?? [];
  const items = [...models.entries()].map(([name, m]) => ({
    label: name,
    description: [m.id, m.provider && `via ${m.provider}`].filter(Boolean).join(' '),
    detail: m.classes?.length ? `Classes: ${m.classes.join(', ')}` : undefined,
    picked: now[0] === name,
  }));
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  const work = works.find((w) => w.route === route)?.label.toLowerCase() ?? route;
  const pick = await vscode.window.showQuickPick(items, {
    title: `Switchyard: model for ${work}`,
    placeHolder: now.length ? `Now: ${now.join(', then ')}` : 'Pick a model; the others in the route stay as fallbacks',
  });
  if (!pick) return;
  const key = `routes.${route}`;
  await cfg.update(key, withModelFirst(now, pick.label), target(cfg.inspect(key)));
  vscode.window.setStatusBarMessage(`Switchyard: ${work} now use ${pick.label}`, 4000);
}

// serverModels asks the server for the models it knows (from every
// configuration layer), where it offers such a command.
async function serverModels(sy: Switchyard): Promise<string[]> {
  const command = findServerCommand(sy.serverCommands(), 'listModels');
  if (!command || !sy.client) return [];
  try {
    const res = await sy.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [] });
    if (Array.isArray(res)) return res.map((m) => (typeof m === 'string' ? m : m?.name)).filter((m): m is string => typeof m === 'string');
    if (res && typeof res === 'object' && 'models' in res && Array.isArray(res.models)) {
      return res.models.map((m: unknown) => (typeof m === 'string' ? m : (m as { name?: string })?.name)).filter((m: unknown): m is string => typeof m === 'string');
    }
  } catch (err) {
    sy.output.appendLine(`Listing models: ${err instanceof Error ? err.message : String(err)}`);
  }
  return [];
}

// runOnServer runs a server command under a cancellable progress
// notification, or explains why it cannot. It returns undefined when
// nothing ran.
async function runOnServer(sy: Switchyard, command: string | undefined, what: string, args: unknown[]): Promise<unknown> {
  if (!sy.client || !sy.client.isRunning()) {
    const c = await vscode.window.showErrorMessage('Switchyard: the server is not running.', 'Show Logs', 'Restart');
    if (c === 'Show Logs') sy.output.show(true);
    if (c === 'Restart') void sy.restart();
    return undefined;
  }
  if (!command) {
    void vscode.window.showWarningMessage(notOffered(what, sy.serverCommands()));
    return undefined;
  }
  const client = sy.client;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Switchyard: ${what}`, cancellable: true },
    async (_progress, token) => {
      try {
        return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token)) ?? null;
      } catch (err) {
        if (token.isCancellationRequested) return undefined;
        const message = err instanceof Error ? err.message : String(err);
        void vscode.window.showErrorMessage(`Switchyard: ${what} failed: ${message}`);
        return undefined;
      }
    },
  );
}

// actionAt is switchyard.runAction's argument for the active editor's
// selection; undefined when no file is open.
function actionAt(action: string, title: string): ActionData | undefined {
  const ed = vscode.window.activeTextEditor;
  if (!ed) return undefined;
  const sel = ed.selection;
  return {
    action,
    title,
    uri: ed.document.uri.toString(),
    range: {
      start: { line: sel.start.line, character: sel.start.character },
      end: { line: sel.end.line, character: sel.end.character },
    },
  };
}

// askInstruction asks what an action should do; undefined when the user
// cancelled.
export async function askInstruction(title: string, placeHolder = 'e.g. make this iterative and keep the signature'): Promise<string | undefined> {
  const instruction = await vscode.window.showInputBox({
    title: `Switchyard: ${title}`,
    prompt: 'What should change?',
    placeHolder,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Describe the change' : undefined),
  });
  return instruction?.trim() || undefined;
}

// askScope asks how far a refactor may reach; undefined when cancelled.
export async function askScope(): Promise<ActionData['scope'] | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'This folder', description: 'the current file\u2019s package or folder', scope: 'package' as const },
      { label: 'Whole workspace', description: 'every workspace folder', scope: 'workspace' as const },
      { label: 'This file', description: 'the current file only', scope: 'file' as const },
    ],
    { title: 'Switchyard: how far may the refactor reach?', ignoreFocusOut: true },
  );
  return pick?.scope;
}

async function refactor(sy: Switchyard): Promise<void> {
  const data = actionAt('refactor', 'Refactor across files');
  if (!data) {
    void vscode.window.showInformationMessage('Switchyard: open a file of the code to refactor first; the refactor starts from it.');
    return;
  }
  const instruction = await askInstruction('refactor across files', 'e.g. rename Config.Timeout to Config.Deadline and update the callers');
  if (!instruction) return;
  const scope = await askScope();
  if (!scope) return;
  await runOnServer(sy, findServerCommand(sy.serverCommands(), 'runAction'), 'refactor across files', [{ ...data, instruction, scope }]);
}

const imageFilters = { Images: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp'] };

// imageAtCursor is the image file named on the cursor's line, if it exists.
function imageAtCursor(): vscode.Uri | undefined {
  const ed = vscode.window.activeTextEditor;
  if (!ed) return undefined;
  const line = ed.document.lineAt(ed.selection.active.line).text;
  const p = imagePathAt(line, ed.selection.active.character);
  if (!p || /^[a-z]+:\/\//i.test(p)) return undefined;
  const candidates = path.isAbsolute(p)
    ? [p]
    : [
        path.join(path.dirname(ed.document.uri.fsPath), p),
        ...(vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, p)),
      ];
  const found = candidates.find((c) => fs.existsSync(c));
  return found ? vscode.Uri.file(found) : undefined;
}

// fromScreenshot implements the screen in an image: the one given (the
// explorer's context menu), the one named at the cursor, or one chosen
// with a file picker. The code replaces the selection when the open
// document is a component of the framework, else it goes into a new file.
async function fromScreenshot(sy: Switchyard, given?: vscode.Uri): Promise<void> {
  const offered = sy.serverCommands();
  const direct = findServerCommand(offered, 'image');
  const atCursor = given ? undefined : imageAtCursor();
  let image = given ?? atCursor;
  if (!image) {
    if (!direct) {
      // Without the command, the server implements only an image named
      // in the text, through its "Implement from" code action.
      void vscode.window.showWarningMessage(
        notOffered('implementing from a picked image file', offered) +
          ' Meanwhile, write the image\u2019s path in a file (as a Markdown image, say), put the cursor on it and run this command or the "Implement from" code action.',
      );
      return;
    }
    const picked = await vscode.window.showOpenDialog({
      title: 'Switchyard: implement from a screenshot or mockup',
      openLabel: 'Implement',
      canSelectMany: false,
      filters: imageFilters,
    });
    image = picked?.[0];
  }
  if (!image) return;
  const instruction = await vscode.window.showInputBox({
    title: 'Switchyard: implement from a screenshot',
    prompt: `What to build from ${path.basename(image.fsPath)} (optional; Enter for none)`,
    placeHolder: 'e.g. only the header, with Tailwind classes',
    ignoreFocusOut: true,
  });
  if (instruction === undefined) return;
  const what = 'implement from a screenshot';
  if (!direct) {
    const data = actionAt('image.implement', `Implement from ${path.basename(image.fsPath)}`);
    await runOnServer(sy, findServerCommand(offered, 'runAction'), what, [{ ...data, instruction }]);
    return;
  }
  // From the explorer there is no editor context: the code goes into a
  // new file.
  const ctx = given ? undefined : actionAt('image.implement', '');
  const arg = { image: image.fsPath, instruction, ...(ctx ? { uri: ctx.uri, range: ctx.range } : {}) };
  const res = (await runOnServer(sy, direct, what, [arg])) as { uri?: string; created?: boolean } | null | undefined;
  if (res?.uri) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(res.uri));
    await vscode.window.showTextDocument(doc, { preview: false });
    if (res.created) vscode.window.setStatusBarMessage(`Switchyard: wrote ${vscode.workspace.asRelativePath(doc.uri)}`, 6000);
  }
}

async function explainRoute(sy: Switchyard): Promise<void> {
  const command = findServerCommand(sy.serverCommands(), 'explainRoute');
  if (!command) {
    const pick = await vscode.window.showWarningMessage(
      notOffered('explaining a route', sy.serverCommands()) +
        ' `switchyard doctor --route completion` explains the route for your config.toml (not for settings made in VS Code).',
      'Run in a Terminal',
    );
    if (pick && sy.binary) {
      const term = vscode.window.createTerminal('Switchyard doctor');
      term.show();
      term.sendText(`${JSON.stringify(sy.binary)} doctor --route completion`);
    }
    return;
  }
  const cfg = vscode.workspace.getConfiguration('switchyard');
  const pick = await vscode.window.showQuickPick(
    works.map((w) => ({ ...w, description: (effective(cfg.inspect(`routes.${w.route}`)) as string[] | undefined)?.join(', ') })),
    { title: 'Switchyard: explain the route for…', placeHolder: 'Which work' },
  );
  if (!pick) return;
  const ed = vscode.window.activeTextEditor;
  const res = await runOnServer(sy, command, 'explain the route', [{ task: pick.route, uri: ed?.document.uri.toString() }]);
  if (res === undefined || res === null) return;
  const file = ed ? vscode.workspace.asRelativePath(ed.document.uri) : undefined;
  const text = isDecision(res) ? decisionMarkdown(res, file) : '```json\n' + JSON.stringify(res, null, 2) + '\n```\n';
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

async function toggleOffline(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('switchyard');
  const key = 'policy.offline';
  const now = effective(cfg.inspect(key)) === true;
  await cfg.update(key, !now, target(cfg.inspect(key)));
  vscode.window.setStatusBarMessage(now ? 'Switchyard: online, remote models allowed' : 'Switchyard: offline, local models only', 4000);
}
