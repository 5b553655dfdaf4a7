// What the server receives as editor settings. Pure functions, no vscode
// import, so that the unit tests can run them under plain Node.
//
// VS Code fills every contributed setting the user left alone with a
// default ("" for a string, 0 for a number, [] for an array), and
// getConfiguration() returns those as if they were set. Sent to the
// server, they would override the user's config.toml (editor settings
// are a higher layer) with values nobody chose: routes.completion = [],
// policy.max_retention_days = 0. So only the values the user set, in
// user, workspace or folder settings, are sent.

// Inspected is the part of vscode.WorkspaceConfiguration.inspect() used here.
export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

// Keys are setting names below "switchyard.", such as "routes.completion"
// or "providers".
export function serverSettings(keys: readonly string[], inspect: (key: string) => Inspected | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = effective(inspect(key));
    if (v !== undefined) setPath(out, key.split('.'), v);
  }
  return out;
}

// effective is the most specific value the user set. Tables of named
// entries (providers, models) merge by entry, the way VS Code merges
// object settings: a workspace may add a model without restating the
// user's others.
export function effective(i: Inspected | undefined): unknown {
  if (!i) return undefined;
  const layers = [i.globalValue, i.workspaceValue, i.workspaceFolderValue].filter((v) => v !== undefined && v !== null);
  if (layers.length === 0) return undefined;
  if (layers.every(isPlainObject)) {
    return Object.assign({}, ...(layers as object[]));
  }
  return layers[layers.length - 1];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) {
    const next = cur[p];
    if (!isPlainObject(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

// Contribution is the shape of package.json's contributes.configuration.
export interface Contribution {
  properties: Record<string, unknown>;
}

// serverKeys lists the settings, below "switchyard.", that go to the
// server: every contributed one except the extension's own.
export function serverKeys(configuration: Contribution | Contribution[] | undefined, extensionOwn: readonly string[]): string[] {
  const sections = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
  return sections
    .flatMap((s) => Object.keys(s.properties ?? {}))
    .filter((k) => k.startsWith('switchyard.') && !extensionOwn.includes(k))
    .map((k) => k.slice('switchyard.'.length));
}

// withModelFirst puts model at the head of a route's list, keeping the
// others as fallbacks in their order.
export function withModelFirst(route: readonly string[] | undefined, model: string): string[] {
  return [model, ...(route ?? []).filter((m) => m !== model)];
}

// Status is the switchyard/status notification's payload.
export interface Status {
  model?: string;
  provider?: string;
  online?: boolean;
  lastError?: string;
  // Present while next edits are on, from whichever layer of the
  // configuration: the extension cannot read config.toml.
  nextEdit?: { debounceMs?: number };
}

// statusText is the status bar's text: "model · provider · online".
export function statusText(s: Status | undefined): string {
  if (!s || (!s.model && !s.provider)) {
    return s && s.online === false ? 'Switchyard · offline' : 'Switchyard';
  }
  const parts = [s.model, s.provider].filter((p): p is string => !!p);
  parts.push(s.online === false ? 'offline' : 'online');
  return parts.join(' · ');
}

export function statusError(s: Status | undefined): string | undefined {
  return s?.lastError || undefined;
}
