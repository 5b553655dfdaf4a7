package ollamatest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
)

// The shape of the tiny model: small enough to load and answer in
// milliseconds on one CPU thread, big enough to be a real transformer.
const (
	embedding   = 64
	layers      = 2
	heads       = 4
	feedForward = 128
	// ContextLength is the model's trained context window in tokens.
	ContextLength = 2048
)

// FIM control tokens, spelled as in the model's vocabulary; FIMTemplate
// uses them.
const (
	FIMPrefix = "<|fim_prefix|>"
	FIMSuffix = "<|fim_suffix|>"
	FIMMiddle = "<|fim_middle|>"
)

// Token types of tokenizer.ggml.token_type, as llama.cpp numbers them.
const (
	tokenNormal  = 1
	tokenUnknown = 2
	tokenControl = 3
	tokenByte    = 6
)

// GGUF value types (ggml's gguf.h).
const (
	ggufUint32  = 4
	ggufInt32   = 5
	ggufFloat32 = 6
	ggufString  = 8
	ggufArray   = 9
)

const (
	ggufVersion   = 3
	ggufAlignment = 32 // general.alignment's default
	ggmlTypeF32   = 0
	fileTypeF32   = 0 // general.file_type: all F32
)

// codeWords are vocabulary entries beyond single characters, so that the
// model's nonsense reads like code. "▁" is SentencePiece's space.
var codeWords = []string{
	"▁func", "▁return", "▁if", "▁else", "▁for", "▁range", "▁err", "▁nil",
	"▁:=", "▁=", "▁{", "▁}", "()", "▁int", "▁string", "▁x", "▁y", "▁n",
	"▁def", "▁self", "▁import", "▁print", "▁total", "▁sum", "▁value",
}

// vocabulary is the model's tokens and their types: unknown, begin and
// end of text (SentencePiece's ids 0, 1, 2), the 256 byte tokens that
// let any text be encoded, the fill-in-the-middle control tokens, then
// printable characters and a few words. All strings are unique.
func vocabulary() (tokens []string, types []int32, fim [3]int) {
	add := func(s string, typ int32) int {
		tokens = append(tokens, s)
		types = append(types, typ)
		return len(tokens) - 1
	}
	add("<unk>", tokenUnknown)
	add("<s>", tokenControl)
	add("</s>", tokenControl)
	for b := range 256 {
		add(fmt.Sprintf("<0x%02X>", b), tokenByte)
	}
	fim[0] = add(FIMPrefix, tokenControl)
	fim[1] = add(FIMSuffix, tokenControl)
	fim[2] = add(FIMMiddle, tokenControl)
	add("▁", tokenNormal)
	for c := '!'; c <= '~'; c++ {
		add(string(c), tokenNormal)
	}
	for _, w := range codeWords {
		add(w, tokenNormal)
	}
	return tokens, types, fim
}

type kv struct {
	key   string
	value any // uint32, float32, string, []string, []int32 or []float32
}

type tensor struct {
	name string
	dims []uint64 // ggml order: dims[0] is the fastest-varying
	data []float32
}

// WriteModel writes a GGUF v3 file of a llama-architecture model with
// random weights drawn from seed: the same seed gives the same bytes.
// Its text is nonsense; it exists to exercise a real runner's paths.
//
// Only the output projection is shaped: the rows of the control and byte
// tokens are zero while the others are large, so sampling picks printable
// tokens and an answer is never empty, nor cut at its first token.
func WriteModel(w io.Writer, seed uint64) error { return writeModel(w, seed, "") }

// WriteRepeatingModel writes a model like WriteModel's that answers token
// (one of its vocabulary, such as "x") over and over: one dimension of
// every embedding is large and constant, and only token's output row
// reads it. It is what trips Ollama's token repeat limit.
func WriteRepeatingModel(w io.Writer, seed uint64, token string) error {
	return writeModel(w, seed, token)
}

func writeModel(w io.Writer, seed uint64, repeat string) error {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	tokens, types, fim := vocabulary()
	vocab := uint64(len(tokens))
	scores := make([]float32, vocab)
	for i, t := range tokens {
		// SentencePiece merges toward higher scores: longer pieces win.
		scores[i] = -float32(i)
		if types[i] == tokenNormal {
			scores[i] = float32(len(t))
		}
	}

	meta := []kv{
		{"general.architecture", "llama"},
		{"general.name", "switchyard tiny random"},
		{"general.alignment", uint32(ggufAlignment)},
		{"general.file_type", uint32(fileTypeF32)},
		{"llama.context_length", uint32(ContextLength)},
		{"llama.embedding_length", uint32(embedding)},
		{"llama.block_count", uint32(layers)},
		{"llama.feed_forward_length", uint32(feedForward)},
		{"llama.attention.head_count", uint32(heads)},
		{"llama.attention.head_count_kv", uint32(heads)},
		{"llama.attention.layer_norm_rms_epsilon", float32(1e-5)},
		{"llama.rope.dimension_count", uint32(embedding / heads)},
		{"llama.vocab_size", uint32(vocab)},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", tokens},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.unknown_token_id", uint32(0)},
		{"tokenizer.ggml.bos_token_id", uint32(1)},
		{"tokenizer.ggml.eos_token_id", uint32(2)},
		{"tokenizer.ggml.fim_pre_token_id", uint32(fim[0])},
		{"tokenizer.ggml.fim_suf_token_id", uint32(fim[1])},
		{"tokenizer.ggml.fim_mid_token_id", uint32(fim[2])},
	}

	random := func(std float64, dims ...uint64) []float32 {
		n := uint64(1)
		for _, d := range dims {
			n *= d
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(r.NormFloat64() * std)
		}
		return out
	}
	ones := func(n uint64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = 1
		}
		return out
	}
	const e, f = uint64(embedding), uint64(feedForward)
	output := random(0.5, e, vocab)
	for tok := range vocab {
		if types[tok] != tokenNormal || tokens[tok] == "▁" {
			clear(output[tok*e : (tok+1)*e])
		}
	}
	embd := random(1, e, vocab)
	if repeat != "" {
		tok := slices.Index(tokens, repeat)
		if tok < 0 {
			return fmt.Errorf("ollamatest: %q is not in the vocabulary", repeat)
		}
		for i := range vocab {
			embd[i*e] = 10
			output[i*e] = 0
		}
		clear(output[uint64(tok)*e : uint64(tok+1)*e])
		output[uint64(tok)*e] = 20
	}
	ts := []tensor{
		{"token_embd.weight", []uint64{e, vocab}, embd},
		{"output_norm.weight", []uint64{e}, ones(e)},
		{"output.weight", []uint64{e, vocab}, output},
	}
	for l := range layers {
		blk := func(name string, data []float32, dims ...uint64) tensor {
			return tensor{fmt.Sprintf("blk.%d.%s.weight", l, name), dims, data}
		}
		ts = append(ts,
			blk("attn_norm", ones(e), e),
			blk("attn_q", random(0.1, e, e), e, e),
			blk("attn_k", random(0.1, e, e), e, e),
			blk("attn_v", random(0.1, e, e), e, e),
			blk("attn_output", random(0.1, e, e), e, e),
			blk("ffn_norm", ones(e), e),
			blk("ffn_gate", random(0.1, e, f), e, f),
			blk("ffn_up", random(0.1, e, f), e, f),
			blk("ffn_down", random(0.1, f, e), f, e),
		)
	}
	return writeGGUF(w, meta, ts)
}

// writeGGUF writes the GGUF v3 layout (ggml's docs/gguf.md): header,
// metadata, tensor infos with offsets into the data section, padding to
// the alignment, then each tensor's data, each padded to the alignment.
func writeGGUF(out io.Writer, meta []kv, ts []tensor) error {
	w := &ggufWriter{w: bufio.NewWriter(out)}
	w.bytes([]byte("GGUF"))
	w.u32(ggufVersion)
	w.u64(uint64(len(ts)))
	w.u64(uint64(len(meta)))
	for _, m := range meta {
		w.str(m.key)
		w.value(m.value)
	}
	var offset uint64
	for _, t := range ts {
		w.str(t.name)
		w.u32(uint32(len(t.dims)))
		for _, d := range t.dims {
			w.u64(d)
		}
		w.u32(ggmlTypeF32)
		w.u64(offset)
		offset += padded(uint64(len(t.data)) * 4)
	}
	w.pad()
	for _, t := range ts {
		for _, v := range t.data {
			w.u32(math.Float32bits(v))
		}
		w.pad()
	}
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

func padded(n uint64) uint64 { return (n + ggufAlignment - 1) / ggufAlignment * ggufAlignment }

// ggufWriter writes little-endian values and remembers the first error
// and how many bytes went out, for the padding.
type ggufWriter struct {
	w   *bufio.Writer
	n   uint64
	err error
}

func (w *ggufWriter) bytes(b []byte) {
	if w.err != nil {
		return
	}
	var n int
	n, w.err = w.w.Write(b)
	w.n += uint64(n)
}

func (w *ggufWriter) u32(v uint32) { w.bytes(binary.LittleEndian.AppendUint32(nil, v)) }
func (w *ggufWriter) u64(v uint64) { w.bytes(binary.LittleEndian.AppendUint64(nil, v)) }

func (w *ggufWriter) str(s string) {
	w.u64(uint64(len(s)))
	w.bytes([]byte(s))
}

func (w *ggufWriter) pad() { w.bytes(make([]byte, padded(w.n)-w.n)) }

func (w *ggufWriter) value(v any) {
	switch v := v.(type) {
	case uint32:
		w.u32(ggufUint32)
		w.u32(v)
	case float32:
		w.u32(ggufFloat32)
		w.u32(math.Float32bits(v))
	case string:
		w.u32(ggufString)
		w.str(v)
	case []string:
		w.array(ggufString, len(v))
		for _, s := range v {
			w.str(s)
		}
	case []int32:
		w.array(ggufInt32, len(v))
		for _, x := range v {
			w.u32(uint32(x))
		}
	case []float32:
		w.array(ggufFloat32, len(v))
		for _, x := range v {
			w.u32(math.Float32bits(x))
		}
	default:
		if w.err == nil {
			w.err = fmt.Errorf("ollamatest: no GGUF type for %T", v)
		}
	}
}

func (w *ggufWriter) array(elem uint32, n int) {
	w.u32(ggufArray)
	w.u32(elem)
	w.u64(uint64(n))
}
