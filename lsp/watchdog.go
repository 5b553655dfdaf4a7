package lsp

import (
	"time"

	"go.uber.org/zap"
)

// watchParent ends the session when the editor process that started the
// server is gone (the specification's processId): an editor that crashes
// may leave stdin open, and a server left behind would hold its model
// connections and memory for nothing.
func (s *server) watchParent(pid int) {
	every := s.opts.ParentCheck
	if every <= 0 {
		every = 3 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.exited:
			return
		case <-t.C:
			if !processAlive(pid) {
				s.log.Info("the editor process is gone: stopping", zap.Int("processId", pid))
				s.exit()
				return
			}
		}
	}
}
