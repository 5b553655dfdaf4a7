package audit

import (
	"strings"
	"time"

	"switchyard/providers"
)

// Entry is one line of the audit log, one request that left the machine.
// Its fields are names, hashes and counts only, by design: there is no
// field for text of the prompt or the answer.
type Entry struct {
	Time       time.Time      `json:"time"`
	Task       string         `json:"task"`
	Model      string         `json:"model"`
	Provider   string         `json:"provider"`
	Host       string         `json:"host"`
	Sources    []Source       `json:"sources,omitempty"`
	SentSHA256 string         `json:"sent_sha256,omitempty"`
	Redactions map[string]int `json:"redactions,omitempty"`
	Admitted   []string       `json:"admitted,omitempty"`
}

// Source is one file whose content was in the prompt.
type Source struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// FromEgress copies what the router reported into an Entry. The host is
// cut to host[:port] in case a caller passed more of the URL: user info
// in a URL is a credential.
func FromEgress(e providers.Egress) Entry {
	out := Entry{
		Time:       e.Time.UTC(),
		Task:       e.Task,
		Model:      e.Model,
		Provider:   e.Provider,
		Host:       hostOnly(e.Host),
		SentSHA256: e.SentSHA256,
		Admitted:   append([]string(nil), e.Admitted...),
	}
	if out.Time.IsZero() {
		out.Time = time.Now().UTC()
	}
	for _, s := range e.Sources {
		out.Sources = append(out.Sources, Source{Path: s.Path, SHA256: s.SHA256})
	}
	if len(e.Redactions) > 0 {
		out.Redactions = make(map[string]int, len(e.Redactions))
		for rule, n := range e.Redactions {
			out.Redactions[rule] = n
		}
	}
	return out
}

func hostOnly(h string) string {
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?#"); i >= 0 {
		h = h[:i]
	}
	if i := strings.LastIndex(h, "@"); i >= 0 {
		h = h[i+1:]
	}
	return h
}
