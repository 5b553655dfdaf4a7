// The Switchyard extension: starts the switchyard language server, passes
// it the switchyard.* settings, shows its status, and offers the commands
// that the server implements. Everything model-related happens in the
// server; the extension only wires VS Code to it.

import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

import { findServer, NotFound } from './findServer';
import { serverKeys, serverSettings, Inspected } from './serverSettings';
import { StatusBar } from './statusBar';
import { askInstruction, askScope, registerCommands } from './commands';
import { ActionData, needsInstruction } from './serverCommands';
import { NextEdits } from './nextEditController';

// Settings the extension reads itself; everything else under switchyard.*
// goes to the server.
export const extensionOwnSettings = ['switchyard.path', 'switchyard.completionList', 'switchyard.trace.server'];

// Settings whose change needs a new server process: where it is and how it
// logs. Every other change reaches the running server through
// workspace/didChangeConfiguration.
const restartSettings = ['switchyard.path', 'switchyard.log.level', 'switchyard.log.file'];

export class Switchyard implements vscode.Disposable {
  readonly output: vscode.OutputChannel;
  readonly status: StatusBar;
  client: LanguageClient | undefined;
  // binary is the server binary in use, once found.
  binary: string | undefined;
  private readonly keys: string[];
  private starting: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Switchyard');
    this.status = new StatusBar();
    const pkg = context.extension.packageJSON as { contributes?: { configuration?: { properties: Record<string, unknown> }[] } };
    this.keys = serverKeys(pkg.contributes?.configuration, extensionOwnSettings);
    this.disposables.push(
      this.output,
      this.status,
      new NextEdits(() => this.client, () => this.status.current()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (restartSettings.some((s) => e.affectsConfiguration(s))) {
          void this.restart();
        }
      }),
    );
  }

  // settings is the switchyard section as the server should see it: only
  // what the user set (see serverSettings.ts).
  settings(): Record<string, unknown> {
    const cfg = vscode.workspace.getConfiguration('switchyard');
    return serverSettings(this.keys, (k) => cfg.inspect(k) as Inspected | undefined);
  }

  async start(): Promise<void> {
    if (!this.starting) {
      this.starting = this.doStart().finally(() => (this.starting = undefined));
    }
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const cfg = vscode.workspace.getConfiguration('switchyard');
    let bin;
    try {
      bin = findServer(cfg.get<string>('path', ''), this.context.extensionPath);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.output.appendLine(message);
      this.status.notRunning('no server binary');
      const choice = await vscode.window.showErrorMessage(`Switchyard: ${message}`, 'Set switchyard.path', 'Show Logs');
      if (choice === 'Set switchyard.path') {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'switchyard.path');
      } else if (choice === 'Show Logs') {
        this.output.show(true);
      }
      if (!(err instanceof NotFound)) throw err;
      return;
    }
    this.binary = bin.path;
    this.output.appendLine(`Starting ${bin.path} (from ${bin.from})`);

    const args = ['serve'];
    const level = effectiveString(cfg.inspect<string>('log.level'));
    if (level) args.push('--log-level', level);
    const file = effectiveString(cfg.inspect<string>('log.file'));
    if (file) args.push('--log-file', file);

    // TransportKind.stdio appends --stdio; the server's log goes to stderr,
    // which the client copies into the output channel.
    const serverOptions: ServerOptions = { command: bin.path, args, transport: TransportKind.stdio };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      outputChannel: this.output,
      synchronize: { configurationSection: 'switchyard' },
      initializationOptions: () => this.settings(),
      middleware: {
        workspace: {
          // The server pulls the switchyard section on every change;
          // answer with what the user set, not VS Code's filled-in
          // defaults, and without the extension's own settings.
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) return answer;
            return params.items.map((item, i) => {
              const section = item.section ?? '';
              if (section === 'switchyard') return this.settings();
              if (section.startsWith('switchyard.')) {
                return lookup(this.settings(), section.slice('switchyard.'.length).split('.')) ?? null;
              }
              return answer[i];
            });
          },
        },
        // A code action that needs an instruction (Rewrite with AI…,
        // Refactor across files with AI…) comes as a command; ask for the
        // instruction (and a refactor's reach) before the server runs it.
        executeCommand: async (command, args, next) => {
          const data = args[0] as ActionData | undefined;
          if (command !== 'switchyard.runAction' || !data || typeof data !== 'object') return next(command, args);
          const userActions = vscode.workspace.getConfiguration('switchyard').get<{ name?: string; prompt?: string }[]>('actions', []);
          if (!needsInstruction(data, userActions)) return next(command, args);
          const instruction = await askInstruction(data.title ?? data.action);
          if (!instruction) return undefined;
          let scope = data.scope;
          if (data.action === 'refactor' && !scope) {
            scope = await askScope();
            if (!scope) return undefined;
          }
          return next(command, [{ ...data, instruction, ...(scope ? { scope } : {}) }, ...args.slice(1)]);
        },
        // VS Code resolves whichever action the user picks, but only the
        // actions the server listed with data have anything to resolve;
        // those listed as commands (an instruction to ask for, an answer
        // to show) run through executeCommand instead.
        resolveCodeAction: (item, token, next) => {
          if ((item as { data?: unknown }).data === undefined) return item;
          return next(item, token);
        },
        // Ghost text is the completion surface in VS Code; the list is
        // opt-in so that each keystroke asks a model once.
        provideCompletionItem: (document, position, context, token, next) => {
          if (!vscode.workspace.getConfiguration('switchyard').get<boolean>('completionList', false)) {
            return undefined;
          }
          return next(document, position, context, token);
        },
      },
    };

    const client = new LanguageClient('switchyard', 'Switchyard', serverOptions, clientOptions);
    // Inline completion (ghost text) is still a proposed feature in
    // vscode-languageclient 9.
    client.registerProposedFeatures();
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) this.status.running();
      if (e.newState === State.Stopped && this.client === client) this.status.notRunning('server stopped');
    });
    // Registered before start so that a status sent during initialization
    // is not lost; the handler goes away with the client.
    client.onNotification('switchyard/status', (s) => this.status.update(s));
    this.client = client;
    this.status.starting();
    try {
      await client.start();
    } catch (err) {
      this.output.appendLine(`The server did not start: ${err instanceof Error ? err.message : String(err)}`);
      this.status.notRunning('server did not start');
      void vscode.window
        .showErrorMessage(`Switchyard: the server did not start (${bin.path}). See the Switchyard output for its log.`, 'Show Logs')
        .then((c) => c && this.output.show(true));
      return;
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.appendLine(`Stopping the server: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  async restart(): Promise<void> {
    await this.starting;
    await this.stop();
    await this.start();
  }

  // serverCommands lists what the running server offers through
  // workspace/executeCommand.
  serverCommands(): string[] {
    return this.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function effectiveString(i: Inspected | undefined): string | undefined {
  const v = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function lookup(obj: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

let instance: Switchyard | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  instance = new Switchyard(context);
  context.subscriptions.push(instance);
  registerCommands(context, instance);
  await instance.start();
}

export async function deactivate(): Promise<void> {
  await instance?.stop();
}
