package redact

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The corpus is built at run time from templates and seeded random
// bytes: no real secret is in this repository, and no literal here has a
// vendor's token format (the prefixes are joined at run time), so secret
// scanners on the repository stay quiet.

const (
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower  = "abcdefghijklmnopqrstuvwxyz"
	digits = "0123456789"
	alnum  = upper + lower + digits
	hexdig = "0123456789abcdef"
	b32    = upper + "234567"
	urlb64 = alnum + "_-"
)

func pick(r *rand.Rand, set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.IntN(len(set))]
	}
	return string(b)
}

func join(parts ...string) string { return strings.Join(parts, "") }

// secretKind makes one vendor's secret.
type secretKind struct {
	name string
	make func(r *rand.Rand) string
}

var secretKinds = []secretKind{
	{"aws-access-key-id", func(r *rand.Rand) string { return join("AK", "IA", pick(r, b32, 16)) }},
	{"aws-secret-access-key", func(r *rand.Rand) string { return pick(r, alnum+"+/", 40) }},
	{"github-classic", func(r *rand.Rand) string { return join("gh", "p_", pick(r, alnum, 36)) }},
	{"github-fine-grained", func(r *rand.Rand) string {
		return join("github", "_pat_", pick(r, alnum, 22), "_", pick(r, alnum, 59))
	}},
	{"gitlab", func(r *rand.Rand) string { return join("gl", "pat-", pick(r, alnum+"_-", 20)) }},
	{"slack-bot", func(r *rand.Rand) string {
		return join("xo", "xb-", pick(r, digits, 12), "-", pick(r, digits, 13), "-", pick(r, alnum, 24))
	}},
	{"stripe", func(r *rand.Rand) string { return join("sk", "_live_", pick(r, alnum, 24)) }},
	{"google-api-key", func(r *rand.Rand) string { return join("AI", "za", pick(r, urlb64, 35)) }},
	{"openai", func(r *rand.Rand) string {
		return join("sk", "-proj-", pick(r, urlb64, 74), "T3Blbk", "FJ", pick(r, urlb64, 74))
	}},
	{"anthropic", func(r *rand.Rand) string { return join("sk", "-ant-api03-", pick(r, urlb64, 93), "AA") }},
	{"huggingface", func(r *rand.Rand) string { return join("h", "f_", pick(r, upper+lower, 34)) }},
	{"npm", func(r *rand.Rand) string { return join("np", "m_", pick(r, lower+digits, 36)) }},
	{"sendgrid", func(r *rand.Rand) string {
		return join("S", "G.", pick(r, urlb64, 22), ".", pick(r, urlb64, 43))
	}},
	{"twilio", func(r *rand.Rand) string { return join("S", "K", pick(r, hexdig, 32)) }},
	{"jwt", func(r *rand.Rand) string {
		enc := base64.RawURLEncoding.EncodeToString
		head := enc([]byte(`{"alg":"HS256","typ":"JWT"}`))
		body := enc([]byte(fmt.Sprintf(`{"sub":"%s","name":"%s","iat":%d}`, pick(r, digits, 10), pick(r, lower, 8), 1700000000+r.IntN(1e7))))
		return head + "." + body + "." + enc([]byte(pick(r, alnum, 32)))
	}},
	{"pem-private-key", func(r *rand.Rand) string {
		raw := make([]byte, 600)
		for i := range raw {
			raw[i] = byte(r.IntN(256))
		}
		body := base64.StdEncoding.EncodeToString(raw)
		var lines []string
		for len(body) > 64 {
			lines = append(lines, body[:64])
			body = body[64:]
		}
		lines = append(lines, body)
		kind := []string{"RSA ", "EC ", "OPENSSH ", ""}[r.IntN(4)]
		return join("-----BEGIN ", kind, "PRIVATE", " KEY-----\n", strings.Join(lines, "\n"), "\n-----END ", kind, "PRIVATE", " KEY-----")
	}},
	{"database-url-password", func(r *rand.Rand) string {
		return pick(r, alnum, 10+r.IntN(10)) + pick(r, "!*-_.", 1) + pick(r, digits, 2)
	}},
	{"env-assignment", func(r *rand.Rand) string { return pick(r, alnum, 16+r.IntN(24)) }},
}

// contexts put a secret into a line of code or configuration, the way
// each kind is usually written. %s is the secret.
var contexts = map[string][]string{
	"": {
		"\ttoken := %q\n",
		"client = Client(api_key=\"%s\")\n",
		"const credentials = '%s';\n",
		"  apiToken: %s\n",
		"export SERVICE_TOKEN=%s\n",
		"headers[\"Authorization\"] = \"Bearer %s\"\n",
		"\tcfg := Config{Key: \"%s\", Region: \"eu-west-1\"}\n",
		"curl -H 'X-Auth: %s' https://api.example.com/v1/items\n",
	},
	"aws-secret-access-key": {
		"aws_secret_access_key = %s\n",
		"AWS_SECRET_ACCESS_KEY=%s\n",
		"\tsecretAccessKey := \"%s\"\n",
		"  secret_key: \"%s\"\n",
	},
	"pem-private-key": {"%s\n", "key = \"\"\"\n%s\n\"\"\"\n", "const pemKey = `%s`\n"},
	"database-url-password": {
		"DATABASE_URL=postgres://app:%s@db.internal:5432/orders\n",
		"\tdsn := \"mysql://root:%s@tcp(10.0.0.5:3306)/shop\"\n",
		"  url: mongodb+srv://svc:%s@cluster0.example.net/prod\n",
		"redis_url = \"redis://default:%s@cache:6379/0\"\n",
	},
	"env-assignment": {
		"DB_PASSWORD=%s\n",
		"export API_SECRET=%s\n",
		"SMTP_PASSWORD=\"%s\"\n",
		"STRIPE_KEY=%s\n",
		"session_secret: %s\n",
		"\tpassword = \"%s\"\n",
	},
}

// codeAround is ordinary code put before and after a secret's line.
var codeAround = []string{
	"package billing\n\nimport \"net/http\"\n\n",
	"func (s *Server) charge(w http.ResponseWriter, r *http.Request) {\n\tif err := s.validate(r); err != nil {\n\t\thttp.Error(w, err.Error(), 400)\n\t\treturn\n\t}\n}\n",
	"def load_settings(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n",
	"services:\n  api:\n    image: registry.example.com/api:1.4.2\n    ports:\n      - \"8080:8080\"\n",
	"// retry with backoff so a flaky network does not fail the whole batch\nfor i := 0; i < 3; i++ {\n}\n",
}

type sample struct {
	kind, text, secret string
}

func secretCorpus(seed uint64, perKind int) []sample {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var out []sample
	for _, k := range secretKinds {
		ctxs := contexts[k.name]
		if ctxs == nil {
			ctxs = contexts[""]
		}
		for i := 0; i < perKind; i++ {
			secret := k.make(r)
			line := fmt.Sprintf(ctxs[i%len(ctxs)], secret)
			if strings.Contains(ctxs[i%len(ctxs)], "%q") {
				line = strings.Replace(ctxs[i%len(ctxs)], "%q", "\""+secret+"\"", 1)
			}
			text := codeAround[r.IntN(len(codeAround))] + line + codeAround[r.IntN(len(codeAround))]
			out = append(out, sample{kind: k.name, text: text, secret: secret})
		}
	}
	return out
}

// cleanTemplates are code full of random-looking values that are not
// secrets: hashes, git commits, UUIDs, base64 test data, long names.
var cleanTemplates = []func(r *rand.Rand) string{
	func(r *rand.Rand) string {
		return fmt.Sprintf("const emptyDigest = \"sha256:%s\"\n\nfunc TestDigest(t *testing.T) {\n\tif got := digest(nil); got != emptyDigest {\n\t\tt.Fatalf(\"got %%s\", got)\n\t}\n}\n", pick(r, hexdig, 64))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("// Fixed in %s; see the changelog.\nvar pinnedCommit = \"%s\"\nvar shortCommit = \"%s\"\n", pick(r, hexdig, 12), pick(r, hexdig, 40), pick(r, hexdig, 7))
	},
	func(r *rand.Rand) string {
		u := func() string {
			return pick(r, hexdig, 8) + "-" + pick(r, hexdig, 4) + "-4" + pick(r, hexdig, 3) + "-a" + pick(r, hexdig, 3) + "-" + pick(r, hexdig, 12)
		}
		return fmt.Sprintf("fixtures = [\n    {\"id\": \"%s\", \"tenant\": \"%s\"},\n    {\"id\": \"%s\", \"parent\": \"%s\"},\n]\nrequest_id = \"%s\"\n", u(), u(), u(), u(), u())
	},
	func(r *rand.Rand) string {
		raw := make([]byte, 48+r.IntN(64))
		for i := range raw {
			raw[i] = byte(r.IntN(256))
		}
		return fmt.Sprintf("func TestDecode(t *testing.T) {\n\tinput := \"%s\"\n\twant := %q\n\tcheck(t, input, want)\n}\n", base64.StdEncoding.EncodeToString(raw), hex.EncodeToString(raw[:16]))
	},
	func(r *rand.Rand) string {
		name := func() string {
			parts := []string{"Abstract", "Singleton", "Proxy", "Factory", "Bean", "Request", "Handler", "Token", "Stream", "Key", "Value", "Provider", "Resolver", "Access", "Auth"}
			s := ""
			for i := 0; i < 4+r.IntN(4); i++ {
				s += parts[r.IntN(len(parts))]
			}
			return s
		}
		return fmt.Sprintf("type %s struct{}\n\nfunc (%s) %s() error {\n\treturn errors.New(\"%s failed\")\n}\nvar defaultTokenKind = \"%s\"\n", name(), name(), name(), name(), name())
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("checksums:\n  linux-amd64: %s\n  darwin-arm64: %s\nversion: 1.%d.%d\nimage: ghcr.io/example/app@sha256:%s\n", pick(r, hexdig, 64), pick(r, hexdig, 64), r.IntN(30), r.IntN(10), pick(r, hexdig, 64))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("export const ETAG = \"W/\\\"%s\\\"\";\nconst integrity = \"sha512-%s\";\nconst nonce = crypto.randomBytes(16).toString(\"hex\");\nconst password = process.env.DB_PASSWORD;\nconst apiKey = os.Getenv(\"API_KEY\");\n", pick(r, hexdig, 32), pick(r, alnum+"+/", 86)+"==")
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app\nAPI_KEY=changeme\nSECRET_KEY=<your secret key>\nLOG_LEVEL=debug\nBUILD_ID=%s\n", pick(r, hexdig, 40))
	},
}

func cleanCorpus(seed uint64, n int) []sample {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]sample, 0, n)
	for i := 0; i < n; i++ {
		var b strings.Builder
		for j := 0; j < 3; j++ {
			b.WriteString(cleanTemplates[r.IntN(len(cleanTemplates))](r))
			b.WriteString(codeAround[r.IntN(len(codeAround))])
		}
		out = append(out, sample{kind: "generated", text: b.String()})
	}
	return out
}

// goSources are real files from the Go distribution, every step-th .go
// file outside testdata folders, in a fixed order.
func goSources(t testing.TB, step, limit int) []sample {
	root := filepath.Join(os.Getenv("GOROOT"), "src")
	if os.Getenv("GOROOT") == "" {
		root = "/usr/local/go/src"
	}
	var paths []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".go") {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	var out []sample
	for i := 0; i < len(paths) && len(out) < limit; i += step {
		b, err := os.ReadFile(paths[i])
		if err != nil {
			continue
		}
		out = append(out, sample{kind: strings.TrimPrefix(paths[i], root+"/"), text: string(b)})
	}
	if len(out) == 0 {
		t.Skip("no Go sources under " + root)
	}
	return out
}

func TestCorpusCatchRate(t *testing.T) {
	corpus := secretCorpus(1, 40)
	missed := map[string]int{}
	caught := 0
	for _, s := range corpus {
		got, _ := New().Redact(s.text)
		if !strings.Contains(got, s.secret) {
			caught++
			continue
		}
		missed[s.kind]++
		if missed[s.kind] == 1 {
			t.Logf("missed %s in:\n%s", s.kind, got)
		}
	}
	rate := float64(caught) / float64(len(corpus))
	t.Logf("caught %d of %d secrets (%.1f%%), %d kinds; missed by kind: %v", caught, len(corpus), 100*rate, len(secretKinds), missed)
	if rate < 0.95 {
		t.Errorf("caught %.1f%% of the corpus's secrets, want at least 95%%", 100*rate)
	}
}

func TestCorpusFalsePositives(t *testing.T) {
	clean := append(cleanCorpus(2, 600), goSources(t, 12, 400)...)
	changed := 0
	byRule := map[string]int{}
	for _, s := range clean {
		r := New()
		got, reps := r.Redact(s.text)
		if got == s.text {
			continue
		}
		changed++
		for _, p := range reps {
			byRule[p.Rule]++
		}
		t.Logf("changed %s: %v", s.kind, reps)
	}
	rate := float64(changed) / float64(len(clean))
	t.Logf("changed %d of %d clean files (%.2f%%); replacements by rule: %v", changed, len(clean), 100*rate, byRule)
	if rate > 0.01 {
		t.Errorf("changed %.2f%% of clean files, want at most 1%%", 100*rate)
	}
}
