package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"

	"switchyard/config"
	"switchyard/providers"
)

// DefaultBuffer is how many lines may wait for the writer before Record
// drops them: far more than the requests an editor makes while a disk
// write stalls.
const DefaultBuffer = 1024

// Options are what a Log needs besides its settings. The zero value works.
type Options struct {
	Logger *zap.Logger // told of write errors and dropped lines; nil discards
	Buffer int         // lines waiting for the writer; 0 is DefaultBuffer
}

// Log is the audit log. Record is safe for concurrent use and never
// blocks; Close writes what is buffered and stops the writer.
type Log struct {
	log     *zap.Logger
	ch      chan item
	done    chan struct{}
	enabled atomic.Bool
	dropped atomic.Uint64

	mu     sync.RWMutex // held for reading while sending, for writing by Close
	closed bool
}

// item is one line, or a change of settings (in the order they came).
type item struct {
	entry    Entry
	settings *settings
}

type settings struct {
	on       bool
	path     string
	maxSize  int64
	maxFiles int
}

// New starts a Log that records nothing until Configure turns it on.
func New(opts Options) *Log {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBuffer
	}
	l := &Log{log: opts.Logger, ch: make(chan item, opts.Buffer), done: make(chan struct{})}
	go l.run()
	return l
}

// Open starts a Log with settings s.
func Open(s config.Audit, opts Options) (*Log, error) {
	l := New(opts)
	if err := l.Configure(s); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Configure puts settings s in force for the lines recorded after it. The
// file is created with the first line, so a server that sends nothing
// away writes nothing.
func (l *Log) Configure(s config.Audit) error {
	next := &settings{on: s.Enabled}
	if s.Enabled {
		path, err := s.File()
		if err != nil {
			return fmt.Errorf("audit log: %w: set [audit] path to a file, or HOME", err)
		}
		size, files := s.MaxSizeMB, s.MaxFiles
		if size <= 0 {
			size = config.DefaultAuditMaxSizeMB
		}
		if files <= 0 {
			files = config.DefaultAuditMaxFiles
		}
		next.path, next.maxSize, next.maxFiles = path, int64(size)<<20, files
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil
	}
	l.ch <- item{settings: next} // may wait for the writer: a settings change is not on a request's path
	l.enabled.Store(s.Enabled)
	return nil
}

// Record appends e to the log, unless the log is off. It never blocks: a
// line that finds the buffer full is dropped, counted and warned about.
func (l *Log) Record(e providers.Egress) {
	if l == nil || !l.enabled.Load() {
		return
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return
	}
	select {
	case l.ch <- item{entry: FromEgress(e)}:
	default:
		n := l.dropped.Add(1)
		if n&(n-1) == 0 { // 1, 2, 4, 8...: say so without flooding the log
			l.log.Warn("audit log: the writer is behind; lines dropped", zap.Uint64("dropped", n))
		}
	}
}

// Dropped is how many lines Record dropped because the buffer was full.
func (l *Log) Dropped() uint64 { return l.dropped.Load() }

// Close writes the lines already recorded and closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.ch)
	}
	l.mu.Unlock()
	<-l.done
	return nil
}

func (l *Log) run() {
	defer close(l.done)
	w := &rotator{}
	defer w.close()
	warned := ""
	for it := range l.ch {
		if it.settings != nil {
			w.close()
			w.settings = *it.settings
			continue
		}
		if !w.on {
			continue
		}
		line, err := json.Marshal(it.entry)
		if err == nil {
			err = w.write(append(line, '\n'))
		}
		if err != nil && err.Error() != warned {
			// Once per distinct error: a full disk would otherwise log
			// once per request.
			warned = err.Error()
			l.log.Warn("audit log: cannot write; check [audit] path and the disk", zap.String("path", w.path), zap.Error(err))
		}
	}
}

// rotator appends to the current file and rotates it at maxSize:
// audit.jsonl becomes audit.1.jsonl, audit.1.jsonl audit.2.jsonl, and
// so on up to maxFiles, past which the oldest is deleted. Written here
// rather than with a rotating-writer library: the common one
// (lumberjack) prunes old files from a goroutine it never stops, which
// leaks one per log and makes the bound hold only eventually.
type rotator struct {
	settings
	f    *os.File
	size int64
}

func (w *rotator) write(line []byte) error {
	if w.f == nil {
		if err := w.open(); err != nil {
			return err
		}
	}
	if w.size > 0 && w.size+int64(len(line)) > w.maxSize {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	n, err := w.f.Write(line)
	w.size += int64(n)
	return err
}

func (w *rotator) open() error {
	// The log says which files were sent where: only its owner reads it.
	if err := os.MkdirAll(filepath.Dir(w.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	w.f, w.size = f, st.Size()
	return nil
}

func (w *rotator) rotate() error {
	w.close()
	if err := os.Remove(Rotated(w.path, w.maxFiles)); err != nil && !os.IsNotExist(err) {
		return err
	}
	for i := w.maxFiles - 1; i >= 1; i-- {
		if err := os.Rename(Rotated(w.path, i), Rotated(w.path, i+1)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if err := os.Rename(w.path, Rotated(w.path, 1)); err != nil && !os.IsNotExist(err) {
		return err
	}
	return w.open()
}

func (w *rotator) close() {
	if w.f != nil {
		w.f.Close()
		w.f, w.size = nil, 0
	}
}

// Rotated is the name of the i-th rotated file of the log at path:
// audit.jsonl's first is audit.1.jsonl.
func Rotated(path string, i int) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "." + strconv.Itoa(i) + ext
}
