// Which of the server's workspace/executeCommand commands serves which
// extension command. Pure, no vscode import.
//
// The extension's own command ids must differ from the server's:
// vscode-languageclient registers a VS Code command under each name in the
// server's executeCommandProvider, and registering an id twice fails the
// client's start.

export type Work = 'refactor' | 'image' | 'explainRoute' | 'listModels';

// The names each server command may have, most likely first.
export const serverCommandNames: Record<Work, string[]> = {
  refactor: ['switchyard.refactor', 'switchyard/refactor', 'switchyard.refactorFiles'],
  image: ['switchyard.implementFromImage', 'switchyard.fromImage', 'switchyard.image', 'switchyard/implementFromImage'],
  explainRoute: ['switchyard.explainRoute', 'switchyard.route', 'switchyard/explainRoute'],
  listModels: ['switchyard.models', 'switchyard.listModels', 'switchyard/models'],
};

// Looser patterns, for a server whose names differ from the ones above.
const patterns: Record<Work, RegExp> = {
  refactor: /refactor/i,
  image: /image|screenshot|mockup/i,
  explainRoute: /route|explain/i,
  listModels: /models$/i,
};

export function findServerCommand(offered: readonly string[], work: Work): string | undefined {
  for (const name of serverCommandNames[work]) {
    if (offered.includes(name)) return name;
  }
  return offered.find((c) => patterns[work].test(c));
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
