package assist

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"switchyard/assist/repoindex"
	"switchyard/config"
)

// Similar code comes from files that are not open too: the current
// folder's, and those viewed recently. The first request reads them off
// the keystroke path and goes on without them; the next has them.
func TestSimilarFromFilesNotOpen(t *testing.T) {
	resetNearby()
	t.Cleanup(resetNearby)
	window := "func handleOrders(w http.ResponseWriter, r *http.Request) {\n\torders, err := store.ListOrders(r.Context(), customerID(r))\n\tif err != nil {\n\t\twriteError(w, err)\n\t\treturn\n\t}\n\twriteJSON(w, orders)\n}\n"
	dir, ix := indexedWorkspace(t, map[string]string{
		"api/orders.go":    "package api\n\n" + window,
		"api/unrelated.go": "package api\n\nconst banner = \"hello\"\n",
		"other/far.go":     "package other\n\nfunc handleInvoices(w http.ResponseWriter, r *http.Request) {\n\tinvoices, err := store.ListInvoices(r.Context(), customerID(r))\n}\n",
	})
	marked := "package api\n\nfunc handleInvoices(w http.ResponseWriter, r *http.Request) {\n\tinvoices, err := store.ListInvoices(r.Context(), customerID(r))\n\tif err != nil {\n\t\t‸\n}\n"
	sh := config.ContextShares{Definitions: 0.1, Similar: 0.8, OpenFiles: 0.1}
	if got := joined(contextAt(dir, ix, "api/invoices.go", marked, 1024, sh), sourceSimilar); got != "" {
		t.Errorf("first request: similar = %q; the folder's files are not read yet, it must not wait for them", got)
	}
	waitNearby()
	got := joined(contextAt(dir, ix, "api/invoices.go", marked, 1024, sh), sourceSimilar)
	if !strings.Contains(got, "api/orders.go:\n") || !strings.Contains(got, "store.ListOrders(r.Context(), customerID(r))") {
		t.Errorf("similar = %q, want the window of api/orders.go, a file of the folder not open", got)
	}
	if strings.Contains(got, "far.go") {
		t.Errorf("similar = %q: a file of another folder, never viewed, came in", got)
	}

	// other/far.go, once open and then closed, is recently viewed.
	far := filepath.Join(dir, "other/far.go")
	contextAt(dir, ix, "api/invoices.go", marked, 1024, sh, OtherDocument{Document: Document{Path: far, LanguageID: "go", Text: "package other\n"}})
	contextAt(dir, ix, "api/invoices.go", marked, 1024, sh)
	waitNearby()
	got = joined(contextAt(dir, ix, "api/invoices.go", marked, 1024, sh), sourceSimilar)
	if !strings.Contains(got, "other/far.go:\n") {
		t.Errorf("similar = %q, want other/far.go, viewed before and closed", got)
	}
}

// Keystrokes while a file is being read queue it once, and a file that
// cannot be read is not tried again at each of them. The reader is held
// (marked busy, none started) while the keystrokes come, so that what
// they queue is still in the queue when the test looks: a reader running
// meanwhile could empty it and hide a path queued twice.
func TestNearbyQueuesOnce(t *testing.T) {
	resetNearby()
	t.Cleanup(resetNearby)
	files := map[string]string{"api/invoices.go": "package api\n"}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		files["api/"+n+".go"] = "package api\n\nfunc " + n + "() {}\n"
	}
	dir, ix := indexedWorkspace(t, files)
	if err := os.Remove(filepath.Join(dir, "api/e.go")); err != nil {
		t.Fatal(err)
	}
	req := CompletionRequest{Doc: Document{Path: filepath.Join(dir, "api/invoices.go"), LanguageID: "go"}, Index: ix}
	// pending holds the reader, runs keystrokes and returns what they
	// queued; then it reads the queue as the reader would.
	pending := func(keystrokes int) []string {
		t.Helper()
		waitNearby()
		nearby.Lock()
		nearby.reading = true
		nearby.Unlock()
		for range keystrokes {
			nearbyDocs(&req, repoindex.LangGo)
		}
		nearby.Lock()
		queued := slices.Clone(nearby.pending)
		nearby.Unlock()
		readNearby()
		return queued
	}
	want := []string{"a.go", "b.go", "c.go", "d.go", "e.go"}
	base := func(ps []string) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = filepath.Base(p)
		}
		slices.Sort(out)
		return out
	}
	if got := base(pending(5)); !slices.Equal(got, want) {
		t.Errorf("first reads: queued %q over 5 keystrokes, want each of %q once", got, want)
	}
	if got := len(nearbyDocs(&req, repoindex.LangGo)); got != 4 {
		t.Errorf("%d files read, want the 4 of the folder that exist", got)
	}
	if got := pending(5); len(got) != 0 {
		t.Errorf("queued %q again within the TTL, want none: the unreadable one is remembered too", base(got))
	}
	// Past the TTL every file is read again, once however many
	// keystrokes come while it is; the old reads serve meanwhile.
	nearby.Lock()
	for _, d := range nearby.files {
		d.read = d.read.Add(-2 * nearbyTTL)
	}
	nearby.Unlock()
	if got := base(pending(5)); !slices.Equal(got, want) {
		t.Errorf("expired reads: queued %q over 5 keystrokes, want each of %q once", got, want)
	}
}
