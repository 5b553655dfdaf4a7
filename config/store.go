package config

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
)

// Store holds the configuration layers and the last merged configuration
// that validated. Current is a single atomic load, cheap enough for every
// keystroke; the Set methods are serialised and, on any error, leave the
// configuration in force unchanged and return the error for the editor to
// show. The zero value is not ready: use NewStore.
type Store struct {
	mu       sync.Mutex // serialises updates; never held by Current
	layers   layers
	onChange []func(*Config)

	state atomic.Pointer[storeState]
}

type layers struct {
	user       *Layer
	editor     *Layer
	workspaces map[string]*Layer // by canonical folder
}

type storeState struct {
	cfg      *Config
	warnings []Problem
	version  uint64
}

// NewStore returns a store holding the defaults, at version 1.
func NewStore() *Store {
	s := &Store{}
	s.state.Store(&storeState{cfg: Defaults(), version: 1})
	return s
}

// Current returns the configuration in force. It is shared: treat it as
// read-only, and Clone it to change it.
func (s *Store) Current() *Config { return s.state.Load().cfg }

// Version counts changes of the configuration in force; it moves only when
// an update changed something, so a server can rebuild its router when the
// version differs from the one it built against.
func (s *Store) Version() uint64 { return s.state.Load().version }

// Warnings returns the keys ignored in the configuration in force (a
// workspace file setting what only a trusted folder may set, and the like),
// for the server to show once after each change.
func (s *Store) Warnings() []Problem { return slices.Clone(s.state.Load().warnings) }

// OnChange registers fn to run after each update that changed the
// configuration in force. Calls are made in order, one at a time, while
// the update is still held: fn must not call the Store's Set methods.
func (s *Store) OnChange(fn func(*Config)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = append(s.onChange, fn)
}

// SetUser replaces the user-file layer; nil removes it.
func (s *Store) SetUser(l *Layer) error {
	return s.update(func(ls *layers) { ls.user = l })
}

// SetEditor replaces the editor-settings layer; nil removes it.
func (s *Store) SetEditor(l *Layer) error {
	return s.update(func(ls *layers) { ls.editor = l })
}

// SetWorkspace adds or replaces the layer of the workspace folder
// l.Folder (as LoadWorkspace returns it).
func (s *Store) SetWorkspace(l *Layer) error {
	if l == nil {
		return errors.New("config: SetWorkspace needs a layer; use RemoveWorkspace to drop a folder")
	}
	return s.update(func(ls *layers) { ls.workspaces[canonical(l.Folder)] = l })
}

// RemoveWorkspace drops the layer of a workspace folder that was closed.
func (s *Store) RemoveWorkspace(folder string) error {
	return s.update(func(ls *layers) { delete(ls.workspaces, canonical(folder)) })
}

// update merges the changed layers and, only if the result validates,
// keeps them and publishes the result.
func (s *Store) update(change func(*layers)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := layers{user: s.layers.user, editor: s.layers.editor, workspaces: maps.Clone(s.layers.workspaces)}
	if next.workspaces == nil {
		next.workspaces = map[string]*Layer{}
	}
	change(&next)
	cfg, warnings, err := Merge(next.user, next.editor, slices.Collect(maps.Values(next.workspaces))...)
	if err != nil {
		return err
	}
	s.layers = next
	old := s.state.Load()
	if reflect.DeepEqual(old.cfg, cfg) {
		s.state.Store(&storeState{cfg: old.cfg, warnings: warnings, version: old.version})
		return nil
	}
	s.state.Store(&storeState{cfg: cfg, warnings: warnings, version: old.version + 1})
	for _, fn := range s.onChange {
		fn(cfg)
	}
	return nil
}
