package ollamatest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// ggufReader reads back what writeGGUF wrote, as ggml's gguf.md lays it
// out, so a mistake in the layout fails here rather than as a runner that
// will not load the model.
type ggufReader struct {
	b   []byte
	off int
}

func (r *ggufReader) u32() uint32 { v := binary.LittleEndian.Uint32(r.b[r.off:]); r.off += 4; return v }
func (r *ggufReader) u64() uint64 { v := binary.LittleEndian.Uint64(r.b[r.off:]); r.off += 8; return v }
func (r *ggufReader) str() string {
	n := int(r.u64())
	s := string(r.b[r.off : r.off+n])
	r.off += n
	return s
}

func (r *ggufReader) value(typ uint32) any {
	switch typ {
	case ggufUint32, ggufInt32, ggufFloat32:
		return r.u32()
	case ggufString:
		return r.str()
	case ggufArray:
		elem, n := r.u32(), r.u64()
		out := make([]any, n)
		for i := range out {
			out[i] = r.value(elem)
		}
		return out
	}
	panic(fmt.Sprintf("unexpected GGUF type %d", typ))
}

func TestWriteModelLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteModel(&buf, 1); err != nil {
		t.Fatal(err)
	}
	r := &ggufReader{b: buf.Bytes()}
	if magic := string(r.b[:4]); magic != "GGUF" {
		t.Fatalf("magic %q", magic)
	}
	r.off = 4
	if v := r.u32(); v != 3 {
		t.Fatalf("version %d, want 3", v)
	}
	nTensors, nKV := r.u64(), r.u64()
	kv := map[string]any{}
	for range nKV {
		k := r.str()
		kv[k] = r.value(r.u32())
	}
	for _, k := range []string{"general.architecture", "llama.context_length", "llama.embedding_length", "llama.block_count",
		"llama.attention.layer_norm_rms_epsilon", "llama.attention.head_count", "llama.feed_forward_length",
		"tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.fim_pre_token_id",
		"tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.fim_mid_token_id"} {
		if _, ok := kv[k]; !ok {
			t.Errorf("metadata lacks %s", k)
		}
	}
	tokens := kv["tokenizer.ggml.tokens"].([]any)
	seen := map[any]bool{}
	for _, tok := range tokens {
		if seen[tok] {
			t.Errorf("token %q twice", tok)
		}
		seen[tok] = true
	}
	if tokens[3] != "<0x00>" || tokens[3+255] != "<0xFF>" {
		t.Errorf("byte tokens at 3..258: %q ... %q", tokens[3], tokens[258])
	}
	if id := kv["tokenizer.ggml.fim_mid_token_id"].(uint32); tokens[id] != FIMMiddle {
		t.Errorf("fim_mid_token_id %d is %q", id, tokens[id])
	}

	type info struct {
		name   string
		dims   []uint64
		offset uint64
	}
	var infos []info
	for range nTensors {
		in := info{name: r.str()}
		for range r.u32() {
			in.dims = append(in.dims, r.u64())
		}
		if typ := r.u32(); typ != ggmlTypeF32 {
			t.Errorf("%s: type %d, want F32", in.name, typ)
		}
		in.offset = r.u64()
		infos = append(infos, in)
	}
	data := padded(uint64(r.off))
	end := data
	for _, in := range infos {
		if in.offset%ggufAlignment != 0 {
			t.Errorf("%s at offset %d, not 32-byte aligned", in.name, in.offset)
		}
		n := uint64(4)
		for _, d := range in.dims {
			n *= d
		}
		end = data + in.offset + n
	}
	if end != uint64(buf.Len()) {
		t.Errorf("the last tensor ends at %d, the file at %d", end, buf.Len())
	}
	names := make([]string, len(infos))
	for i, in := range infos {
		names[i] = in.name
	}
	vocab := uint64(len(tokens))
	for _, want := range []struct {
		name string
		dims []uint64
	}{
		{"token_embd.weight", []uint64{embedding, vocab}},
		{"output_norm.weight", []uint64{embedding}},
		{"blk.1.ffn_down.weight", []uint64{feedForward, embedding}},
		{"blk.1.ffn_up.weight", []uint64{embedding, feedForward}},
	} {
		i := slices.Index(names, want.name)
		if i < 0 || !slices.Equal(infos[i].dims, want.dims) {
			t.Errorf("tensor %s: want dims %v in %s", want.name, want.dims, strings.Join(names, ", "))
		}
	}

	var again bytes.Buffer
	if err := WriteModel(&again, 1); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("the same seed wrote different bytes (%v)", err)
	}
}
