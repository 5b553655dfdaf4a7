package assist

import (
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"switchyard/assist/repoindex"
)

// Similar code from files that are not open: the other files of the
// current file's folder and the files viewed recently (open in an
// earlier request, closed since). Reading them is file I/O, which a
// keystroke must not wait for: the first request that needs a file
// starts reading it in the background and goes on without it; the
// windows, with their words, are kept for the requests after.

const (
	// maxNearbyFiles bounds the files of the folder and the recent ones
	// scanned for each request.
	maxNearbyFiles = 8
	// maxNearbyBytes is how much of each file, from its start, is read
	// and cut into windows: as much as of an open file. Scoring their
	// windows is what these files cost a keystroke (0.2 ms of CPU for
	// four files of 16 KB in BenchmarkPromptAssemblyIndexed).
	maxNearbyBytes = similarSpan
	// maxRecent is how many recently viewed files are remembered.
	maxRecent = 8
	// nearbyTTL is how long a file read is trusted: it may change on disk
	// (a checkout, the user's own edit in another editor).
	nearbyTTL = 30 * time.Second
	// maxNearbyCache bounds the files kept.
	maxNearbyCache = 64
)

type nearbyDoc struct {
	doc  OtherDocument
	wins *spanWindows
	read time.Time
}

var nearby = struct {
	sync.Mutex
	recent  []string              // newest first
	files   map[string]*nearbyDoc // wins nil: could not be read
	queued  map[string]bool       // in pending
	pending []string              // paths to read, in order
	reading bool
}{files: map[string]*nearbyDoc{}, queued: map[string]bool{}}

// nearbyDocs returns the read files of the current folder and the
// recently viewed ones of the current language that are not open, and
// queues those not read yet. It also records the current and open files
// as recently viewed.
func nearbyDocs(req *CompletionRequest, lang repoindex.Lang) []*nearbyDoc {
	open := make(map[string]bool, len(req.Others)+1)
	open[req.Doc.Path] = true
	for _, o := range req.Others {
		open[o.Path] = true
	}
	cands := make([]string, 0, maxNearbyFiles)
	nearby.Lock()
	for _, p := range nearby.recent {
		if !open[p] && len(cands) < maxNearbyFiles/2 && repoindex.LangOf(p, "") == lang {
			cands = append(cands, p)
		}
	}
	// Remember the files of this request, newest first.
	for _, p := range append([]string{req.Doc.Path}, pathsOf(req.Others)...) {
		if i := slices.Index(nearby.recent, p); i >= 0 {
			nearby.recent = slices.Delete(nearby.recent, i, i+1)
		}
		nearby.recent = slices.Insert(nearby.recent, 0, p)
	}
	nearby.recent = nearby.recent[:min(len(nearby.recent), maxRecent+len(req.Others)+1)]
	nearby.Unlock()
	if req.Index != nil {
		for _, p := range req.Index.FilesIn(dirOf(req.Doc.Path)) {
			if len(cands) == maxNearbyFiles {
				break
			}
			if !open[p] && !slices.Contains(cands, p) && repoindex.LangOf(p, "") == lang {
				cands = append(cands, p)
			}
		}
	}
	now := time.Now()
	out := make([]*nearbyDoc, 0, len(cands))
	nearby.Lock()
	defer nearby.Unlock()
	for _, p := range cands {
		d := nearby.files[p]
		if d != nil && d.wins != nil {
			out = append(out, d) // an old read serves until the new one
		}
		if (d == nil || now.Sub(d.read) > nearbyTTL) && !nearby.queued[p] {
			nearby.queued[p] = true
			nearby.pending = append(nearby.pending, p)
		}
	}
	if len(nearby.pending) > 0 && !nearby.reading {
		nearby.reading = true
		go readNearby()
	}
	return out
}

func pathsOf(docs []OtherDocument) []string {
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		if d.Path != "" {
			out = append(out, d.Path)
		}
	}
	return out
}

// readNearby reads the queued files, off the keystroke path.
func readNearby() {
	for {
		nearby.Lock()
		if len(nearby.pending) == 0 {
			nearby.reading = false
			nearby.Unlock()
			return
		}
		p := nearby.pending[0]
		nearby.pending = nearby.pending[1:]
		nearby.Unlock()
		d := readNearbyFile(p)
		nearby.Lock()
		if len(nearby.files) >= maxNearbyCache {
			clear(nearby.files)
		}
		// A file that cannot be read is remembered as such for the TTL
		// too, not tried again at every keystroke.
		nearby.files[p] = d
		delete(nearby.queued, p)
		nearby.Unlock()
	}
}

// readNearbyFile reads the start of a file and cuts it into windows;
// without windows when it cannot be read.
func readNearbyFile(p string) *nearbyDoc {
	f, err := os.Open(p)
	if err != nil {
		return &nearbyDoc{read: time.Now()}
	}
	defer f.Close()
	buf := make([]byte, maxNearbyBytes)
	n, _ := io.ReadFull(f, buf)
	if n == 0 {
		return &nearbyDoc{read: time.Now()}
	}
	text := string(buf[:n])
	return &nearbyDoc{
		doc:  OtherDocument{Document: Document{URI: FileURI(p), Path: p, Text: text}},
		wins: newSpanWindows(text, 0, len(text)),
		read: time.Now(),
	}
}

// waitNearby waits until the queued files are read: for tests and the
// recall benchmark, which stand for a user who opened the file a while
// before typing.
func waitNearby() {
	for {
		nearby.Lock()
		idle := !nearby.reading
		nearby.Unlock()
		if idle {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// resetNearby forgets the files read and viewed: for tests.
func resetNearby() {
	waitNearby()
	nearby.Lock()
	nearby.recent = nil
	clear(nearby.files)
	clear(nearby.queued)
	nearby.Unlock()
}
