// The status bar item: "model · provider · online", fed by the server's
// switchyard/status notification, in the warning colour while the last
// request failed. Clicking it chooses a model.

import * as vscode from 'vscode';

import { Status, statusError, statusText } from './serverSettings';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  last: Status | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('switchyard.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Switchyard';
    this.item.command = 'switchyard.chooseModel';
    this.starting();
    this.item.show();
  }

  starting(): void {
    this.set('$(loading~spin) Switchyard', 'Switchyard: starting the server', undefined);
  }

  running(): void {
    this.update(this.last);
  }

  notRunning(why: string): void {
    this.item.command = 'switchyard.showLogs';
    this.item.text = `$(error) Switchyard: ${why}`;
    this.item.tooltip = `Switchyard: ${why}. Click to show the log.`;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
  }

  // current is the server's last status.
  current(): Status | undefined {
    return this.last;
  }

  update(s: Status | undefined): void {
    this.last = s;
    this.item.command = 'switchyard.chooseModel';
    const err = statusError(s);
    const icon = s?.online === false ? '$(cloud-offline)' : err ? '$(warning)' : '$(sparkle)';
    const lines = ['Switchyard'];
    if (s?.model) lines.push(`Model: ${s.model}`);
    if (s?.provider) lines.push(`Provider: ${s.provider}`);
    if (s) lines.push(s.online === false ? 'Offline: only local models are used' : 'Online');
    if (err) lines.push(`Last error: ${err}`);
    lines.push('', 'Click to choose the model for completions or refactors.');
    this.set(`${icon} ${statusText(s)}`, lines.join('\n'), err ? 'statusBarItem.warningBackground' : undefined);
  }

  private set(text: string, tooltip: string, background: string | undefined): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
