// Which of the server's workspace/executeCommand commands serves which
// extension command. Pure, no vscode import.
//
// The extension's own command ids must differ from the server's:
// vscode-languageclient registers a VS Code command under each name in the
// server's executeCommandProvider, and registering an id twice fails the
// client's start.

export type Work = 'runAction' | 'image' | 'explainRoute' | 'listModels';

// The names each server command may have, most likely first.
export const serverCommandNames: Record<Work, string[]> = {
  // Runs any code action; its argument names the action (refactor,
  // rewrite, image.implement...), the document, range and instruction.
  runAction: ['switchyard.runAction'],
  image: ['switchyard.implementFromImage'],
  explainRoute: ['switchyard.explainRoute'],
  listModels: ['switchyard.listModels', 'switchyard.models'],
};

export function findServerCommand(offered: readonly string[], work: Work): string | undefined {
  return serverCommandNames[work].find((name) => offered.includes(name));
}

// ActionData is the argument of switchyard.runAction: what a code action
// carries, plus what the editor asked the user for.
export interface ActionData {
  action: string;
  title?: string;
  uri: string;
  version?: number;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  instruction?: string;
  scope?: 'file' | 'package' | 'files' | 'workspace';
  files?: string[];
  [k: string]: unknown;
}

// Built-in actions that cannot run without an instruction.
const instructed = ['rewrite', 'refactor'];

// needsInstruction says whether the server would refuse the action for
// want of an instruction: a built-in that needs one, or a user action
// (user:NAME in [[actions]]) whose prompt uses {instruction}. userActions
// is the switchyard.actions setting; actions defined only in config.toml
// are unknown here, and the server's error says what to do for those.
export function needsInstruction(data: ActionData, userActions: readonly { name?: string; prompt?: string }[] = []): boolean {
  if (data.instruction) return false;
  if (instructed.includes(data.action)) return true;
  if (data.action.startsWith('user:')) {
    const ua = userActions.find((a) => a.name === data.action.slice('user:'.length));
    return !!ua?.prompt?.includes('{instruction}');
  }
  return false;
}

// What the user reads when the server does not offer a command.
export function notOffered(what: string, offered: readonly string[]): string {
  const list = offered.length > 0 ? ` It offers: ${offered.join(', ')}.` : ' It offers no commands.';
  return `Switchyard: this switchyard server does not implement ${what} yet.${list} Update the switchyard binary (switchyard.path) to a newer build.`;
}

// imagePathAt finds an image file named on a line of text at a column:
// a Markdown image, an HTML src, or a quoted or bare path ending in an
// image extension. It returns the path as written, or undefined.
export function imagePathAt(line: string, column: number): string | undefined {
  const re = /!\[[^\]]*\]\(\s*<?([^)\s>]+)>?[^)]*\)|src\s*=\s*["']([^"']+)["']|["'`]([^"'`]+\.(?:png|jpe?g|gif|webp|bmp))["'`]|((?:[\w.~-]+\/)*[\w.-]+\.(?:png|jpe?g|gif|webp|bmp))/gi;
  let best: string | undefined;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    const p = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!p || !/\.(png|jpe?g|gif|webp|bmp)$/i.test(p.split(/[?#]/)[0])) continue;
    const start = m.index;
    const end = m.index + m[0].length;
    if (column >= start && column <= end) return p;
    best ??= p;
  }
  return best;
}

// Decision is the router's answer that switchyard.explainRoute returns.
export interface Decision {
  task: string;
  class?: string;
  class_from?: string;
  pinned?: boolean;
  online?: boolean;
  local_only?: string;
  overrides?: string[];
  candidates?: { model: string; provider: string; local?: boolean; kept?: boolean; rule?: string; reason?: string; ttft_ms?: number }[];
  picked?: string;
  problem?: string;
}

export function isDecision(v: unknown): v is Decision {
  return typeof v === 'object' && v !== null && typeof (v as Decision).task === 'string';
}

// decisionMarkdown renders a route decision for reading: the model that
// would be called, the fallbacks in order, and what removed the others.
export function decisionMarkdown(d: Decision, file?: string): string {
  const lines = [`# Route for ${d.task}${file ? ` in ${file}` : ''}`, ''];
  const picked = d.picked ? `**${d.picked}**` : '**none**';
  lines.push(`Model called first: ${picked}. ${d.online === false ? 'Offline: only local models are candidates.' : 'Online.'}`);
  if (d.pinned) lines.push('', `The models come from \`switchyard.routes.${d.task}\`.`);
  else if (d.class) lines.push('', `Candidates are the models of class \`${d.class}\`${d.class_from ? ` (chosen by ${d.class_from})` : ''}.`);
  if (d.local_only) lines.push('', `Only local models may see this file: ${d.local_only}.`);
  if (d.overrides?.length) lines.push('', `Policy narrowed by: ${d.overrides.join(', ')}.`);
  if (d.problem) lines.push('', `No candidates: ${d.problem}`);
  const kept = (d.candidates ?? []).filter((c) => c.kept);
  const removed = (d.candidates ?? []).filter((c) => !c.kept);
  if (kept.length) {
    lines.push('', '## Tried in this order', '');
    kept.forEach((c, i) => {
      const ttft = c.ttft_ms ? `, first token in about ${c.ttft_ms} ms` : '';
      lines.push(`${i + 1}. ${c.model} via ${c.provider} (${c.local ? 'local' : 'remote'}${ttft})`);
    });
  }
  if (removed.length) {
    lines.push('', '## Removed', '');
    for (const c of removed) lines.push(`- ${c.model} via ${c.provider}: ${c.reason || c.rule || 'removed'}${c.rule ? ` (\`${c.rule}\`)` : ''}`);
  }
  return lines.join('\n') + '\n';
}
