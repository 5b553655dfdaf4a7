package router

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/config"
)

func TestSecretFilesAreLocalOnly(t *testing.T) {
	ws := t.TempDir()
	// A repository cannot let a secret file go with a "!" line.
	if err := os.WriteFile(filepath.Join(ws, IgnoreFile), []byte("!.env\n!*.pem\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		secret  []string // [policy] secret_files; nil is the default
		path    string
		wantHit string // "" when the path may go to remote models
	}{
		{"env", nil, ".env", `secret_files ".env*"`},
		{"env variant", nil, "deploy/.env.production", `secret_files ".env*"`},
		{"pem", nil, "certs/server.pem", `secret_files "*.pem"`},
		{"ssh key", nil, "home/id_ed25519.pub", `secret_files "id_ed25519*"`},
		{"tfvars", nil, "infra/prod.tfvars", `secret_files "*.tfvars"`},
		{"npmrc", nil, ".npmrc", `secret_files ".npmrc"`},
		{"ordinary code", nil, "cmd/main.go", ""},
		{"AWS credentials", nil, ".aws/credentials", `secret_files "credentials"`},
		{"a credentials file anywhere", nil, "deploy/credentials", `secret_files "credentials"`},
		{"Google credentials", nil, "credentials.json", `secret_files "credentials.json"`},
		{"YAML credentials", nil, "config/credentials.yaml", `secret_files "credentials.yaml"`},
		{"Rails credentials", nil, "config/credentials.yml.enc", `secret_files "credentials.yml.enc"`},
		{"gcloud credentials", nil, ".config/gcloud/credentials.db", `secret_files "credentials.db"`},
		{"Cargo credentials", nil, ".cargo/credentials.toml", `secret_files "credentials.toml"`},
		{"git's credential store", nil, ".git-credentials", `secret_files ".git-credentials"`},
		{"Go source named credentials", nil, "auth/credentials.go", ""},
		{"its test", nil, "auth/credentials_test.go", ""},
		{"Python source named credentials", nil, "app/credentials.py", ""},
		{"TypeScript source named credentials", nil, "src/credentials.ts", ""},
		{"a longer name", nil, "auth/credentials_provider.go", ""},
		{"turned off by the user", []string{}, ".env", ""},
		{"the user's own list", []string{"*.secret"}, "a/b.secret", `secret_files "*.secret"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &config.Config{Policy: config.Policy{SecretFiles: tc.secret}}
			r, err := New(cfg, Options{Workspace: []string{ws}})
			if err != nil {
				t.Fatal(err)
			}
			got := r.LocalOnlyRule(config.TaskCompletion, filepath.Join(ws, filepath.FromSlash(tc.path)))
			if tc.wantHit == "" && got != "" || tc.wantHit != "" && !strings.Contains(got, tc.wantHit) {
				t.Errorf("LocalOnlyRule(%s) = %q, want %q", tc.path, got, tc.wantHit)
			}
		})
	}
}
