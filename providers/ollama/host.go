package ollama

import (
	"net"
	"strings"
)

// EnvHost names the variable Ollama's own server and command line read
// for its address. A user who moved Ollama off its default port with it
// expects every client to follow.
const EnvHost = "OLLAMA_HOST"

// HostURL is the base URL that OLLAMA_HOST's value names, read the way
// Ollama reads it (envconfig.Host): "HOST", "HOST:PORT" or a URL; the
// port is 11434 unless a scheme says otherwise. A server told to listen
// on every interface (0.0.0.0, ::) is reached on 127.0.0.1. An empty
// value is DefaultBaseURL.
func HostURL(value string) string {
	s := strings.TrimSpace(value)
	if s == "" {
		return DefaultBaseURL
	}
	port := "11434"
	scheme, hostport, ok := strings.Cut(s, "://")
	switch {
	case !ok:
		scheme, hostport = "http", s
	case scheme == "http":
		port = "80"
	case scheme == "https":
		port = "443"
	}
	hostport, path, _ := strings.Cut(hostport, "/")
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
	} else {
		port = p
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	u := scheme + "://" + net.JoinHostPort(host, port)
	if path != "" {
		u += "/" + path
	}
	return u
}
