package catalog

import (
	"slices"

	"switchyard/config"
)

// Fill completes a configured model from the catalogue: every field the
// user left empty in [models.NAME] is taken from the entry its id
// matches, and a model reached through a local provider gets the "local"
// class. What the user set always wins. Classes count as set when the
// list is present at all (classes = [] keeps a model out of every class),
// and Vision is taken from the catalogue only then too, since a false
// written in the configuration cannot be told from one left out.
func Fill(m config.Model, p config.Provider) config.Model {
	if e, ok := Lookup(m.ID); ok {
		if m.Classes == nil {
			m.Classes = slices.Clone(e.Classes)
			m.Vision = m.Vision || e.Vision
		}
		if m.ContextWindow == 0 {
			m.ContextWindow = e.ContextWindow
		}
		if m.MaxOutput == 0 {
			m.MaxOutput = e.MaxOutput
		}
		if m.FIM == "" {
			m.FIM = e.FIM
		}
	} else {
		m.Classes = slices.Clone(m.Classes)
	}
	if IsLocal(p) && !slices.Contains(m.Classes, config.ClassLocal) {
		m.Classes = append(m.Classes, config.ClassLocal)
	}
	return m
}

// Apply returns a copy of cfg with every model completed by Fill; cfg
// itself is not changed, since a Store's configuration is shared.
func Apply(cfg *config.Config) *config.Config {
	if cfg == nil {
		return nil
	}
	out := cfg.Clone()
	for name, m := range out.Models {
		out.Models[name] = Fill(m, out.Providers[m.Provider])
	}
	return out
}
