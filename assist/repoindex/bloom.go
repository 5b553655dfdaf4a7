package repoindex

import "hash/maphash"

// bloom is a Bloom filter of a file's identifiers, sized at ten bits an
// identifier with three probes, about 1% false positives.
type bloom []uint64

var seed = maphash.MakeSeed()

// bloomHash is the two hashes the probes are derived from (Kirsch and
// Mitzenmacher: probe i is h1 + i*h2).
func bloomHash(w string) (uint64, uint64) {
	h := maphash.String(seed, w)
	return h, h>>32 | h<<32 | 1
}

func newBloom(words []string) bloom {
	if len(words) == 0 {
		return nil
	}
	b := make(bloom, (len(words)*10+63)/64)
	n := uint64(len(b) * 64)
	for _, w := range words {
		h1, h2 := bloomHash(w)
		for i := range uint64(3) {
			bit := (h1 + i*h2) % n
			b[bit/64] |= 1 << (bit % 64)
		}
	}
	return b
}

func (b bloom) has(h1, h2 uint64) bool {
	if len(b) == 0 {
		return false
	}
	n := uint64(len(b) * 64)
	for i := range uint64(3) {
		bit := (h1 + i*h2) % n
		if b[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}
