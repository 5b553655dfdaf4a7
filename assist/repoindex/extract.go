package repoindex

// Extractor finds the definitions of one file in place of the index's
// own tags extractor, for files other than Go; ok false keeps the
// index's own. It exists so that other extractors (tree-sitter's tags
// queries, in assist/repoindex/internal/tscompare) can be measured by
// the same recall benchmark; the product sets none. A Def it returns
// needs Name, Kind, Line and, for a member, Container; the index fills
// Path and Lang and, when Text is empty, the header from Line.
// Imports are still read by the index's own scanner.
type Extractor func(path string, lang Lang, src string) (defs []Def, ok bool)

// extracted runs ext over a file and fills in what the index needs;
// own is the index's own extraction, kept when ext declines.
func extracted(ext Extractor, p string, lang Lang, src string, own []Def) []Def {
	defs, ok := ext(p, lang, src)
	if !ok {
		return own
	}
	var starts []int // byte offset of each line, computed once if needed
	for i := range defs {
		d := &defs[i]
		if d.Text != "" {
			continue
		}
		if starts == nil {
			starts = append(starts, 0)
			for j := 0; j < len(src); j++ {
				if src[j] == '\n' {
					starts = append(starts, j+1)
				}
			}
		}
		if d.Line < 0 || d.Line >= len(starts) {
			continue
		}
		opens := d.Kind == KindClass || d.Kind == KindType
		d.Text = header(src, starts[d.Line], lang, opens)
	}
	return defs
}
