package vertex_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/providertest"
	"switchyard/providers/vertex"
)

// adc points Application Default Credentials at a user credentials file
// whose token endpoint is a fake that answers with accessToken, or with
// invalid_grant when accessToken is "".
func adc(t *testing.T, accessToken, quotaProject string) {
	t.Helper()
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if accessToken == "" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`))
			return
		}
		w.Write([]byte(`{"access_token":"` + accessToken + `","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(tokens.Close)
	file := filepath.Join(t.TempDir(), "application_default_credentials.json")
	creds := `{"type":"authorized_user","client_id":"id.apps.googleusercontent.com","client_secret":"secret",` +
		`"refresh_token":"1//refresh","token_uri":"` + tokens.URL + `","quota_project_id":"` + quotaProject + `"}`
	if err := os.WriteFile(file, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", file)
	t.Setenv("GOOGLE_CLOUD_QUOTA_PROJECT", "")
}

func adcProvider(t *testing.T, baseURL string) *vertex.Provider {
	t.Helper()
	p, err := vertex.New("vertex", config.Provider{Type: "vertex", BaseURL: baseURL, Project: project, Region: region})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestApplicationDefaultCredentials(t *testing.T) {
	adc(t, "ya29.from-adc", "billing-project")
	for _, model := range []string{gemini, claude} {
		t.Run(model, func(t *testing.T) {
			var last func(testing.TB) providertest.Request
			var url string
			if strings.HasPrefix(model, "claude") {
				f := providertest.NewAnthropic(t)
				f.Enqueue(providertest.Text("ok"))
				last, url = f.Last, f.URL
			} else {
				f := providertest.NewGemini(t)
				f.Enqueue(providertest.Text("ok"))
				last, url = f.Last, f.URL
			}
			s, err := adcProvider(t, url).Chat(context.Background(), ask(model))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := providertest.ReadPieces(s); err != nil || strings.Join(got, "") != "ok" {
				t.Fatalf("answer = %q, %v", got, err)
			}
			r := last(t)
			if got := r.Header.Get("Authorization"); got != "Bearer ya29.from-adc" {
				t.Errorf("Authorization = %q, want the token the credentials' refresh gave", got)
			}
			if got := r.Header.Get("X-Goog-User-Project"); got != "billing-project" {
				t.Errorf("X-Goog-User-Project = %q, want the credentials' quota_project_id", got)
			}
		})
	}
}

func TestRevokedCredentials(t *testing.T) {
	adc(t, "", "")
	for _, model := range []string{gemini, claude} {
		t.Run(model, func(t *testing.T) {
			fake := providertest.NewGemini(t)
			_, err := adcProvider(t, fake.URL).Chat(context.Background(), ask(model))
			if pe := asError(t, err); pe.Kind != providers.KindAuth || !strings.Contains(pe.Hint, "gcloud auth application-default login") {
				t.Errorf("error = %v, want auth with the gcloud hint", err)
			}
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("%d requests reached Vertex without a token", n)
			}
		})
	}
}
