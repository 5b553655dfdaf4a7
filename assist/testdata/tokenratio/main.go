// Command tokenratio measures how far the bytes/4 token estimate of the
// assist package is from a real BPE tokenizer on source code: cl100k_base,
// the vocabulary Qwen2.5-Coder's tokenizer was grown from. It is a
// module of its own under testdata so the tokenizer's tables never enter
// the server's build.
//
//	cd assist/testdata/tokenratio && go run . /usr/local/go/src /root/.pyenv/versions/3.12.1/lib/python3.12
//	go run . ~/.cache/switchyard-ci/recall-corpus/node_modules/{zod/src,rxjs/src,lodash-es}   # after .ci/recall-corpus
//
// With -files it prints the sample instead, one "root<TAB>path" line a
// file, for families.mjs to count with the model families' own
// tokenizers (after .ci/tokenizers):
//
//	go run . -files /usr/local/go/src | node families.mjs
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pkoukk/tiktoken-go"
	loader "github.com/pkoukk/tiktoken-go-loader"
)

func main() {
	files := flag.Bool("files", false, "print the sampled files (root<TAB>path) instead of measuring")
	flag.Parse()
	if *files {
		for _, root := range flag.Args() {
			for _, s := range sample(root) {
				fmt.Printf("%s\t%s\n", root, s.path)
			}
		}
		return
	}
	tiktoken.SetBpeLoader(loader.NewOfflineLoader())
	// cl100k_base (GPT-4, and what Qwen2.5-Coder's vocabulary was grown
	// from) and o200k_base (GPT-4o and later OpenAI models).
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		enc, err := tiktoken.GetEncoding(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		measure(name, enc)
	}
}

type sampled struct {
	path, ext string
	text      []byte
}

// sample is the rule both this command and families.mjs measure on:
// every seventh source file under root, in WalkDir's lexical order, at
// most 300 of each extension, skipping testdata, .d.ts, and files under
// 512 bytes or over 64 KiB.
func sample(root string) []sampled {
	var out []sampled
	perExt := map[string]int{}
	n := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "testdata") {
			return nil
		}
		ext := filepath.Ext(p)
		if ext != ".go" && ext != ".py" && ext != ".ts" && ext != ".js" || strings.HasSuffix(p, ".d.ts") {
			return nil
		}
		n++
		if n%7 != 0 || perExt[ext] >= 300 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil || len(b) < 512 || len(b) > 64<<10 {
			return nil
		}
		perExt[ext]++
		out = append(out, sampled{path: p, ext: ext, text: b})
		return nil
	})
	return out
}

func measure(name string, enc *tiktoken.Tiktoken) {
	for _, root := range flag.Args() {
		byExt := map[string][]float64{}
		bytes, tokens := map[string]int{}, map[string]int{}
		for _, s := range sample(root) {
			t := len(enc.Encode(string(s.text), nil, nil))
			est := (len(s.text) + 3) / 4
			byExt[s.ext] = append(byExt[s.ext], float64(est-t)/float64(t))
			bytes[s.ext] += len(s.text)
			tokens[s.ext] += t
		}
		for ext, errs := range byExt {
			sort.Float64s(errs)
			mean := 0.0
			for _, e := range errs {
				mean += math.Abs(e)
			}
			mean /= float64(len(errs))
			fmt.Printf("%s %s %s: %d files, %.2f bytes/token, estimate error median %+.1f%%, p10 %+.1f%%, p90 %+.1f%%, mean |error| %.1f%%\n",
				name, root, ext, len(errs), float64(bytes[ext])/float64(tokens[ext]),
				100*errs[len(errs)/2], 100*errs[len(errs)/10], 100*errs[len(errs)*9/10], 100*mean)
		}
	}
}
