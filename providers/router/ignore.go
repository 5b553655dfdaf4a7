package router

import (
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"
)

// A .switchyardignore edited while the editor is open takes effect without
// a restart: before a request is routed, the router stats each workspace
// folder's file, at most once a second, and reads it again when its
// modification time or size changed. A stat costs microseconds, and the
// once-a-second limit keeps it off the keystroke path of a fast typist. The
// router does this itself, rather than waiting for the editor's
// workspace/didChangeWatchedFiles, so that every client gets it, including
// those that cannot watch files for a server, and so that a change made
// outside the editor (a git checkout) counts too.

// ignoreCheckEvery is how often, at most, the files are looked at.
const ignoreCheckEvery = time.Second

// fileStamp is what a stat says about one file.
type fileStamp struct {
	exists bool
	mod    time.Time
	size   int64
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{exists: true, mod: fi.ModTime(), size: fi.Size()}
}

// ignoreWatch remembers the stamps the rules in force were read under.
type ignoreWatch struct {
	mu      sync.Mutex
	checked time.Time
	stamps  map[string]fileStamp // workspace folder -> its file's stamp
}

// stampIgnoreFiles records the stamps of the files about to be read.
// Taken before reading, so a change made during the read is seen by the
// next check rather than lost.
func stampIgnoreFiles(workspace []string) map[string]fileStamp {
	stamps := make(map[string]fileStamp, len(workspace))
	for _, w := range workspace {
		root := filepath.Clean(w)
		stamps[root] = stampOf(filepath.Join(root, IgnoreFile))
	}
	return stamps
}

// refreshIgnore reads the workspace folders' .switchyardignore again if
// one changed since it was read, at most once per ignoreCheckEvery. A
// file that cannot be read keeps the rules read before: dropping them
// could send local-only code away.
func (r *Router) refreshIgnore(now time.Time) {
	w := &r.ignore
	if len(r.opts.Workspace) == 0 {
		return
	}
	if !w.mu.TryLock() {
		return // another request is checking right now
	}
	defer w.mu.Unlock()
	if now.Sub(w.checked) < ignoreCheckEvery {
		return
	}
	w.checked = now
	stamps := stampIgnoreFiles(r.opts.Workspace)
	changed := false
	for root, s := range stamps {
		if w.stamps[root] != s {
			changed = true
			break
		}
	}
	if !changed {
		return
	}
	lo, err := newLocalOnly(r.cfg.Policy, r.opts.Workspace)
	if err != nil {
		// Remember the new stamps so the warning is not repeated every
		// second; the next change is tried again.
		w.stamps = stamps
		r.log.Warn("could not read "+IgnoreFile+" again: the rules read before stay in force", zap.Error(err))
		return
	}
	w.stamps = stamps
	r.localOnly.Store(lo)
	r.log.Info(IgnoreFile + " changed: its rules are in force")
}
