// Finding the switchyard binary: the switchyard.path setting, else
// switchyard on PATH, else the binary shipped inside the extension under
// bin/<platform>-<arch>/. No vscode import, so that it can be tested under
// plain Node.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Found = { path: string; from: 'setting' | 'PATH' | 'bundled' };

export class NotFound extends Error {
  constructor(message: string, readonly fromSetting: boolean) {
    super(message);
  }
}

export function binaryName(platform: string = process.platform): string {
  return platform === 'win32' ? 'switchyard.exe' : 'switchyard';
}

// platformDir is the folder name the packaging script builds for.
export function platformDir(platform: string = process.platform, arch: string = process.arch): string {
  return `${platform}-${arch}`;
}

function executable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

// findServer returns the binary to run. setting is switchyard.path,
// extensionDir the extension's install folder, envPath the PATH to search.
export function findServer(setting: string, extensionDir: string, envPath: string = process.env.PATH ?? ''): Found {
  const name = binaryName();
  if (setting.trim() !== '') {
    const p = expandHome(setting.trim());
    if (!path.isAbsolute(p)) {
      throw new NotFound(`switchyard.path is "${setting}", which is not an absolute path: set it to the full path of the switchyard binary.`, true);
    }
    if (executable(p)) return { path: p, from: 'setting' };
    throw new NotFound(`switchyard.path is "${setting}", but no executable file is there: build the server (go build ./cmd/switchyard) or correct the setting.`, true);
  }
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    const p = path.join(dir, name);
    if (executable(p)) return { path: p, from: 'PATH' };
  }
  const bundled = path.join(extensionDir, 'bin', platformDir(), name);
  if (fs.existsSync(bundled)) {
    // An archive may lose the executable bit on the way.
    if (!executable(bundled)) {
      try {
        fs.chmodSync(bundled, 0o755);
      } catch {
        // reported below
      }
    }
    if (executable(bundled)) return { path: bundled, from: 'bundled' };
  }
  throw new NotFound(
    `No switchyard binary found: switchyard.path is empty, switchyard is not on PATH, and this extension has no binary for ${platformDir()}. ` +
      'Build one with `go build -o switchyard ./cmd/switchyard` and set switchyard.path to it, or put it on PATH.',
    false,
  );
}
