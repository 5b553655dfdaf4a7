package router

import (
	"strings"
	"testing"

	"switchyard/config"
)

func TestFactoryBuildsEveryType(t *testing.T) {
	for _, typ := range config.ProviderTypes {
		t.Run(typ, func(t *testing.T) {
			p, err := newProvider("x", config.Provider{Type: typ, BaseURL: "http://127.0.0.1:1", Region: "eu-west-1", Project: "p"})
			if err != nil {
				t.Fatalf("building a %s provider: %v", typ, err)
			}
			if p == nil || p.Name() != "x" {
				t.Fatalf("got %#v", p)
			}
		})
	}
	if _, err := newProvider("x", config.Provider{Type: "nope"}); err == nil || !strings.Contains(err.Error(), "unknown type \"nope\"") {
		t.Errorf("unknown type: %v", err)
	}
}
