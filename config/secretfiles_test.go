package config

import (
	"slices"
	"strings"
	"testing"
)

// Files that are secrets by nature stay local unless the user's own file
// says otherwise: editor settings (which a repository can ship) cannot
// change the list, and a workspace file, trusted or not, can only add.
func TestSecretFilesOnlyTheUserMayNarrow(t *testing.T) {
	withDefaults := append(slices.Clone(DefaultSecretFiles), "*.secret")
	tests := []struct {
		name      string
		user      string
		editor    string
		workspace string
		want      []string
		warn      string
	}{
		{name: "defaults", want: DefaultSecretFiles},
		{name: "the user turns it off", user: "[policy]\nsecret_files = []\n", want: []string{}},
		{name: "the user replaces it", user: "[policy]\nsecret_files = [\"*.pem\"]\n", want: []string{"*.pem"}},
		{name: "editor settings cannot turn it off", editor: `{"policy":{"secret_files":[]}}`, want: DefaultSecretFiles, warn: "only your own configuration file"},
		{name: "a workspace adds to the defaults", workspace: "[policy]\nsecret_files = [\"*.secret\"]\n", want: withDefaults},
		{name: "a workspace cannot empty it", workspace: "[policy]\nsecret_files = []\n", want: DefaultSecretFiles},
		{name: "a workspace adds to the user's", user: "[policy]\nsecret_files = [\"*.pem\"]\n", workspace: "[policy]\nsecret_files = [\"*.secret\", \"*.pem\"]\n", want: []string{"*.pem", "*.secret"}},
	}
	for _, trusted := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var ws *Layer
				if tt.workspace != "" {
					ws = workspace(t, tt.workspace)
				}
				user := mustTOML(t, tt.user, "user.toml")
				if trusted && ws != nil {
					user = mustTOML(t, tt.user+"\n[trust]\nfolders = [\""+ws.Folder+"\"]\n", "user.toml")
				}
				var editor *Layer
				if tt.editor != "" {
					editor = mustJSON(t, tt.editor)
				}
				c, warnings, err := Merge(user, editor, ws)
				if err != nil {
					t.Fatal(err)
				}
				if got := c.Policy.SecretFileGlobs(); !slices.Equal(got, tt.want) {
					t.Errorf("trusted=%v: secret files %v, want %v", trusted, got, tt.want)
				}
				if got := c.Clone().Policy.SecretFileGlobs(); !slices.Equal(got, tt.want) {
					t.Errorf("after Clone: %v, want %v", got, tt.want)
				}
				if tt.warn != "" && (len(warnings) != 1 || !strings.Contains(warnings[0].Message, tt.warn)) {
					t.Errorf("warnings %v, want one saying %q", warnings, tt.warn)
				}
			})
		}
	}
}
