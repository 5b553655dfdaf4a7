package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ErrNoKey is returned by APIKey when the provider names no credential.
var ErrNoKey = errors.New("no API key configured")

// APIKey returns the provider's key: from the command in api_key_cmd
// (a password manager, say), else from the variable named by api_key_env.
// The key itself never appears in an error.
func (p Provider) APIKey(ctx context.Context) (string, error) {
	if p.APIKeyCmd != "" {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", "-c", p.APIKeyCmd)
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("api_key_cmd failed (%v): check the command in api_key_cmd", err)
		}
		key := strings.TrimSpace(out.String())
		if key == "" {
			return "", errors.New("api_key_cmd printed nothing: check the command in api_key_cmd")
		}
		return key, nil
	}
	if p.APIKeyEnv != "" {
		key := strings.TrimSpace(os.Getenv(p.APIKeyEnv))
		if key == "" {
			return "", fmt.Errorf("environment variable %s is not set: set it, or change api_key_env", p.APIKeyEnv)
		}
		return key, nil
	}
	return "", ErrNoKey
}
