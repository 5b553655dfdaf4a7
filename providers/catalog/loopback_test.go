package catalog

import "testing"

func TestIsLoopback(t *testing.T) {
	for base, want := range map[string]bool{
		"http://127.0.0.1:8080/v1":     true,
		"http://localhost:11434/v1":    true,
		"http://[::1]:1234/v1":         true,
		"https://api.openai.com/v1":    false,
		"http://192.168.1.10:8000/v1":  false,
		"http://localhost.example.com": false,
		"":                             false,
	} {
		if got := IsLoopback(base); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", base, got, want)
		}
	}
}
