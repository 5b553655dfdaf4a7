// Compiles a module of src/ (one without a vscode import) with esbuild
// and loads it, so that plain `node --test` can test the TypeScript.
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const out = mkdtempSync(join(tmpdir(), 'switchyard-vscode-unit-'));
const require = createRequire(import.meta.url);
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

export function load(name) {
  const outfile = join(out, `${name}.cjs`);
  buildSync({ entryPoints: [join(src, `${name}.ts`)], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
  return require(outfile);
}
