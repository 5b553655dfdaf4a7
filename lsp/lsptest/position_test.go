package lsptest

import "testing"

func TestPositionAt(t *testing.T) {
	// "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 UTF-16 units.
	text := "ab\ncé😀x\n"
	tests := []struct {
		off  int
		enc  string
		want Position
	}{
		{0, EncodingUTF16, Position{0, 0}},
		{2, EncodingUTF16, Position{0, 2}},
		{3, EncodingUTF16, Position{1, 0}},
		{6, EncodingUTF16, Position{1, 2}},  // after "cé"
		{10, EncodingUTF16, Position{1, 4}}, // after "cé😀"
		{10, EncodingUTF8, Position{1, 7}},
		{10, EncodingUTF32, Position{1, 3}},
		{12, EncodingUTF16, Position{2, 0}},
	}
	for _, tt := range tests {
		got := PositionAt(text, tt.off, tt.enc)
		if got != tt.want {
			t.Errorf("PositionAt(%d, %s) = %v, want %v", tt.off, tt.enc, got, tt.want)
		}
		if back := OffsetAt(text, got, tt.enc); back != tt.off {
			t.Errorf("OffsetAt(%v, %s) = %d, want %d", got, tt.enc, back, tt.off)
		}
	}
}

func TestOffsetAtClamps(t *testing.T) {
	text := "ab\ncd"
	if got := OffsetAt(text, Position{0, 99}, EncodingUTF16); got != 2 {
		t.Errorf("past end of line: got %d, want 2", got)
	}
	if got := OffsetAt(text, Position{9, 0}, EncodingUTF16); got != len(text) {
		t.Errorf("past last line: got %d, want %d", got, len(text))
	}
}

func TestApply(t *testing.T) {
	got := Apply("héllo wörld", TextEdit{Range: Range{Position{0, 6}, Position{0, 11}}, NewText: "there"}, EncodingUTF16)
	if got != "héllo there" {
		t.Errorf("got %q", got)
	}
}
