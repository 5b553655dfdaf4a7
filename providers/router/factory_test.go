package router

import (
	"slices"
	"strings"
	"testing"

	"switchyard/config"
)

func TestFactoryBuildsEveryType(t *testing.T) {
	for _, typ := range config.ProviderTypes {
		t.Run(typ, func(t *testing.T) {
			p, err := newProvider("x", config.Provider{Type: typ, BaseURL: "http://127.0.0.1:1", Region: "eu-west-1", Project: "p"})
			if slices.Contains([]string{"bedrock", "vertex"}, typ) && err != nil {
				// Not built in yet: the error must say so, naming the entry.
				if !strings.Contains(err.Error(), "[providers.x]") {
					t.Errorf("error does not name the setting: %v", err)
				}
				return
			}
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
