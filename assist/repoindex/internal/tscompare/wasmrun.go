package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"switchyard/assist/repoindex"
)

// wasmTags runs the same grammars and tags queries as WebAssembly
// through wazero (pure Go): npm/tags.wasm, built by ./build-wasm. One
// module instance, used by one goroutine at a time. Predicates are not
// evaluated in the module; the one the definitions' patterns use
// (a method named "constructor" is no definition) is applied here. The
// enclosing class is not looked up, so a function in a class stays a
// function and has no container.
type wasmTags struct {
	mu       sync.Mutex
	ctx      context.Context
	mod      api.Module
	alloc    api.Function
	free     api.Function
	tags     api.Function
	names    map[string][]string // capture names per grammar, as the native query numbers them
	out      uint32
	outCap   uint32
	parse    []time.Duration
	compiled time.Duration
}

var grammarIndex = map[string]uint64{"python": 0, "javascript": 1, "typescript": 2}

func newWasmTags(path string, e *extractor, queries map[string]string) (*wasmTags, error) {
	ctx := context.Background()
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%v: run ./build-wasm first", err)
	}
	began := time.Now()
	r := wazero.NewRuntime(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	mod, err := r.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithStartFunctions("_initialize"))
	if err != nil {
		return nil, err
	}
	w := &wasmTags{ctx: ctx, mod: mod, alloc: mod.ExportedFunction("alloc"), free: mod.ExportedFunction("dealloc"),
		tags: mod.ExportedFunction("tags"), names: map[string][]string{}}
	for g, q := range queries {
		p := w.put([]byte(q))
		res, err := mod.ExportedFunction("init").Call(ctx, grammarIndex[g], uint64(p), uint64(len(q)))
		if err != nil || res[0] != 0 {
			return nil, fmt.Errorf("tags query of %s in wasm: %v (offset+1 %d)", g, err, res)
		}
		w.names[g] = e.grammars[g].query.CaptureNames()
	}
	w.outCap = 1 << 20
	w.out = w.put(make([]byte, 4*w.outCap))
	w.compiled = time.Since(began)
	return w, nil
}

// put copies b into the module's memory; the caller frees it.
func (w *wasmTags) put(b []byte) uint32 {
	res, err := w.alloc.Call(w.ctx, uint64(len(b)+1))
	if err != nil || res[0] == 0 {
		panic(fmt.Sprintf("wasm alloc %d: %v", len(b), err))
	}
	p := uint32(res[0])
	w.mod.Memory().Write(p, b)
	return p
}

func (w *wasmTags) defs(p string, lang repoindex.Lang, src string) ([]repoindex.Def, bool) {
	g := grammarOf(p, lang)
	gi, ok := grammarIndex[g]
	if !ok {
		return nil, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	began := time.Now()
	sp := w.put([]byte(src))
	defer w.free.Call(w.ctx, uint64(sp))
	var n int32
	for {
		res, err := w.tags.Call(w.ctx, gi, uint64(sp), uint64(len(src)), uint64(w.out), uint64(w.outCap))
		if err != nil {
			panic(err)
		}
		if n = int32(res[0]); n >= 0 {
			break
		}
		w.free.Call(w.ctx, uint64(w.out))
		w.outCap *= 4
		w.out = w.put(make([]byte, 4*w.outCap))
	}
	buf, _ := w.mod.Memory().Read(w.out, uint32(n)*4)
	u := func(i int) uint32 { return binary.LittleEndian.Uint32(buf[4*i:]) }
	names := w.names[g]
	var defs []repoindex.Def
	for i := 0; i < int(n); {
		count := int(u(i))
		i++
		var name string
		var kind repoindex.Kind
		line := -1
		for range count {
			idx, start, end, row := u(i), u(i+1), u(i+2), u(i+3)
			i += 4
			c := names[idx]
			if c == "name" {
				name = src[start:end]
			} else if k, ok := kinds[c]; ok {
				kind, line = k, int(row)
			}
		}
		if line < 0 || name == "" || kind == repoindex.KindMethod && name == "constructor" {
			continue
		}
		defs = append(defs, repoindex.Def{Name: name, Kind: kind, Line: line})
	}
	w.parse = append(w.parse, time.Since(began))
	return defs, true
}
