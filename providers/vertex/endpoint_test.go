package vertex

import (
	"testing"

	"switchyard/config"
)

func TestEndpointAndModelPath(t *testing.T) {
	tests := []struct {
		region, model, wantBase, wantPath string
	}{
		{"global", "gemini-2.5-pro", "https://aiplatform.googleapis.com",
			"projects/p/locations/global/publishers/google/models/gemini-2.5-pro"},
		{"us", "models/gemini-2.5-flash", "https://aiplatform.us.rep.googleapis.com",
			"projects/p/locations/us/publishers/google/models/gemini-2.5-flash"},
		{"europe-west4", "meta/llama-4", "https://europe-west4-aiplatform.googleapis.com",
			"projects/p/locations/europe-west4/publishers/meta/models/llama-4"},
		{"us-central1", "publishers/google/models/gemini-2.5-pro", "https://us-central1-aiplatform.googleapis.com",
			"projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro"},
		{"us-central1", "projects/p/locations/us-central1/endpoints/123", "https://us-central1-aiplatform.googleapis.com",
			"projects/p/locations/us-central1/endpoints/123"},
	}
	for _, tt := range tests {
		p, err := New("vertex", config.Provider{Type: "vertex", Project: "p", Region: tt.region})
		if err != nil {
			t.Fatal(err)
		}
		if p.base != tt.wantBase {
			t.Errorf("region %s: endpoint %s, want %s", tt.region, p.base, tt.wantBase)
		}
		if got := p.modelPath(tt.model); got != tt.wantPath {
			t.Errorf("model %s: path %s, want %s", tt.model, got, tt.wantPath)
		}
	}
}
