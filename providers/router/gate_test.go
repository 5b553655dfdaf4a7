package router

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// gate is a TCP relay on 127.0.0.1 in front of a fake server that can
// refuse connections (its listener closed, as when the network is gone)
// and come back on the same address.
type gate struct {
	t       testing.TB
	backend string // host:port of the fake
	addr    string // host:port clients use
	prefix  string // scheme and path prefix of the fake's URL

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func newGate(t testing.TB, backendURL string) *gate {
	t.Helper()
	u, err := url.Parse(backendURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{t: t, backend: u.Host, addr: ln.Addr().String(), prefix: u.Path, ln: ln, conns: map[net.Conn]bool{}}
	go g.serve(ln)
	t.Cleanup(g.Refuse)
	return g
}

// URL is the fake's URL through the gate.
func (g *gate) URL() string { return "http://" + g.addr + g.prefix }

// Refuse closes the listener and every relayed connection: new
// connections are refused and kept-alive ones are gone.
func (g *gate) Refuse() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ln != nil {
		g.ln.Close()
		g.ln = nil
	}
	for c := range g.conns {
		c.Close()
	}
	g.conns = map[net.Conn]bool{}
}

// Open listens again on the same address.
func (g *gate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ln != nil {
		return
	}
	ln, err := net.Listen("tcp", g.addr)
	if err != nil {
		g.t.Fatalf("reopening %s: %v", g.addr, err)
	}
	g.ln = ln
	go g.serve(ln)
}

func (g *gate) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		if g.ln != ln {
			g.mu.Unlock()
			c.Close()
			return
		}
		g.conns[c] = true
		g.mu.Unlock()
		go g.relay(c)
	}
}

func (g *gate) relay(c net.Conn) {
	defer c.Close()
	b, err := net.Dial("tcp", g.backend)
	if err != nil {
		return
	}
	defer b.Close()
	g.mu.Lock()
	if g.ln == nil {
		g.mu.Unlock()
		return // refused while dialling
	}
	g.conns[b] = true
	g.mu.Unlock()
	done := make(chan struct{})
	go func() {
		io.Copy(b, c)
		b.Close()
		close(done)
	}()
	io.Copy(c, b)
	c.Close()
	<-done
	g.mu.Lock()
	delete(g.conns, c)
	delete(g.conns, b)
	g.mu.Unlock()
}
