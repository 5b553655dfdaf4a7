package editortest

import "testing"

// prompt is shaped like the server's chat prompt: the system message
// names the markers, the user message marks the region and the cursor.
const prompt = "The part between <|editable_region_start|> and <|editable_region_end|> is the editable region.\n" +
	"The file calc.py:\n<|start_of_file|>\n<|editable_region_start|>\ndef scale(amount<|user_cursor_is_here|>, factor):\n    return count * factor\n<|editable_region_end|>\n"

func TestRenameAnswer(t *testing.T) {
	body := map[string]any{"messages": []any{
		map[string]any{"role": "system", "content": "x"},
		map[string]any{"role": "user", "content": prompt},
	}}
	p, ok := NextEditPrompt(body)
	if !ok {
		t.Fatal("a prompt with the region markers is not seen as a next-edit prompt")
	}
	if _, ok := NextEditPrompt(map[string]any{"prompt": "def f(x):"}); ok {
		t.Error("a completion prompt is taken for a next-edit prompt")
	}
	got, ok := RenameAnswer(p, "count", "amount")
	want := "<|editable_region_start|>\ndef scale(amount, factor):\n    return amount * factor\n<|editable_region_end|>\n"
	if !ok || got != want {
		t.Errorf("RenameAnswer = %q, %v; want %q", got, ok, want)
	}
	// Before the rename, the region comes back as it is.
	got, _ = RenameAnswer(p, "count", "total")
	if want := "<|editable_region_start|>\ndef scale(amount, factor):\n    return count * factor\n<|editable_region_end|>\n"; got != want {
		t.Errorf("RenameAnswer without the new name = %q, want the region unchanged %q", got, want)
	}
	// "counter" is another name, not a use of count.
	r, _ := Region("<|editable_region_start|>\ncounter = count\n<|editable_region_end|>")
	if r != "counter = count\n" {
		t.Errorf("Region = %q", r)
	}
	got, _ = RenameAnswer("<|editable_region_start|>\namount = 1\ncounter = count\n<|editable_region_end|>", "count", "amount")
	if want := "<|editable_region_start|>\namount = 1\ncounter = amount\n<|editable_region_end|>\n"; got != want {
		t.Errorf("RenameAnswer renamed more than the word: %q, want %q", got, want)
	}
}
