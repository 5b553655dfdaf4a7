package redact

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func awsKey(r *rand.Rand) string { return join("AK", "IA", pick(r, b32, 16)) }

func TestSameSecretSamePlaceholder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	key, other := awsKey(r), awsKey(r)
	red := New()
	a, repA := red.Redact("id := \"" + key + "\"\nother := \"" + other + "\"\n")
	b, repB := red.Redact("// the same key again\nagain := \"" + key + "\"\n")
	if strings.Contains(a+b, key) || strings.Contains(a+b, other) {
		t.Fatalf("a key was sent:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, `id := "<SECRET_1>"`) || !strings.Contains(a, `other := "<SECRET_2>"`) || !strings.Contains(b, `again := "<SECRET_1>"`) {
		t.Fatalf("placeholders not stable across the request's texts:\n%s\n%s", a, b)
	}
	if len(repA) != 2 || repA[0].Line != 1 || repA[1].Line != 2 || len(repB) != 1 || repB[0].Line != 2 {
		t.Errorf("replacements: %v then %v, want lines 1, 2 then 2", repA, repB)
	}
	if repA[0].Rule != "aws-access-token" {
		t.Errorf("rule %q, want gitleaks' aws-access-token", repA[0].Rule)
	}
	if got := red.Counts()["aws-access-token"]; got != 3 {
		t.Errorf("count %d, want 3 replacements", got)
	}
	if got := red.Restore(b); got != "// the same key again\nagain := \""+key+"\"\n" {
		t.Errorf("restore: %q", got)
	}
	for _, p := range repA {
		if strings.Contains(p.String(), key) || strings.Contains(p.String(), other) {
			t.Errorf("a replacement's description shows the secret: %s", p)
		}
	}
}

func TestRestoreLeavesOtherPlaceholders(t *testing.T) {
	red := New()
	red.Redact("k = \"" + awsKey(rand.New(rand.NewPCG(1, 2))) + "\"")
	for _, in := range []string{"<SECRET_2>", "<SECRET_>", "<SECRET_x>", "<SECRET_-1>", "<SECRET_1", "a < b"} {
		if got := red.Restore(in); got != in {
			t.Errorf("Restore(%q) = %q, want it unchanged", in, got)
		}
	}
}

func TestRestorerAcrossPieces(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	key := awsKey(r)
	red := New()
	sent, _ := red.Redact("key := \"" + key + "\"")
	if !strings.Contains(sent, "<SECRET_1>") {
		t.Fatalf("not redacted: %s", sent)
	}
	answer := "use(\"<SECRET_1>\") // keep <SECRET_1>, a < b, <SECRET_9>"
	want := "use(\"" + key + "\") // keep " + key + ", a < b, <SECRET_9>"
	// Every way of cutting the answer into pieces gives the same text,
	// and nothing shown ever holds part of a placeholder.
	for cut := 1; cut < len(answer); cut++ {
		for _, size := range []int{1, 2, 3, cut} {
			s := red.Restorer()
			var got strings.Builder
			rest := answer
			for rest != "" {
				n := min(size, len(rest))
				shown := s.Next(rest[:n])
				if strings.Contains(shown, "<SECRET_1") {
					t.Fatalf("cut %d size %d: showed a placeholder: %q", cut, size, shown)
				}
				got.WriteString(shown)
				rest = rest[n:]
			}
			got.WriteString(s.Flush())
			if got.String() != want {
				t.Fatalf("cut %d size %d: got %q, want %q", cut, size, got.String(), want)
			}
		}
	}
	// A tail that only looks like the start of a placeholder comes out
	// at the end.
	s := red.Restorer()
	if got := s.Next("x <SEC"); got != "x " {
		t.Errorf("held back %q, want only the possible placeholder held", got)
	}
	if got := s.Flush(); got != "<SEC" {
		t.Errorf("flush %q", got)
	}
}

func TestNotSecrets(t *testing.T) {
	for _, text := range []string{
		"password := os.Getenv(\"DB_PASSWORD\")\n",
		"const apiKey = process.env.API_KEY;\n",
		"DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app\n",
		"API_KEY=changeme\n",
		"token: tok.Value,\n",
		"secretName := \"billing-prod-credentials\"\n",
		"\tpasswordField = \"password\"\n",
		"id = \"6f1c8e42-8a0b-4b8e-9a51-0e3c2f7d9b11\"\n",
		"sum := \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"\n",
	} {
		if got, reps := New().Redact(text); got != text {
			t.Errorf("changed %q: %v", text, reps)
		}
	}
}

func TestPasswordsAndEnvLines(t *testing.T) {
	for _, tc := range []struct{ text, secret string }{
		{"DB_PASSWORD=Tr0ub4dor&3x\n", "Tr0ub4dor&3x"},
		{"export API_SECRET=q8Zt2LmN4vR7xK1pW9sD\n", "q8Zt2LmN4vR7xK1pW9sD"},
		{"  password: \"hunter2!x\"\n", "hunter2!x"},
		{"dsn := \"postgres://app:p4ssw0rd-99@db:5432/x\"\n", "p4ssw0rd-99"},
	} {
		got, reps := New().Redact(tc.text)
		if strings.Contains(got, tc.secret) || len(reps) != 1 {
			t.Errorf("%q: sent %q (%v)", tc.text, got, reps)
		}
	}
}

// prompt is a 10,000-line prompt of real Go code with a few secrets in it.
func prompt(tb testing.TB, lines int) string {
	var b strings.Builder
	n := 0
	r := rand.New(rand.NewPCG(5, 5))
	for _, s := range goSources(tb, 7, 1000) {
		for _, l := range strings.SplitAfter(s.text, "\n") {
			b.WriteString(l)
			n++
			if n%2500 == 0 {
				b.WriteString("\tkey := \"" + awsKey(r) + "\"\n")
				n++
			}
			if n >= lines {
				return b.String()
			}
		}
	}
	return b.String()
}

// BenchmarkRedact10000Lines reports the median wall time of one
// redaction (p50-ms) and the CPU time the process spent per redaction
// (cpu-ms/op, garbage collection included) besides the mean: on a
// shared machine the wall times carry other processes' use of the CPU.
func BenchmarkRedact10000Lines(b *testing.B) { benchmarkRedact(b, 10000) }

// BenchmarkRedact300Lines is the size of a completion prompt (some 3,000
// tokens).
func BenchmarkRedact300Lines(b *testing.B) { benchmarkRedact(b, 300) }

func benchmarkRedact(b *testing.B, lines int) {
	text := prompt(b, lines)
	New().Redact(text) // the rules are read and compiled on first use
	b.SetBytes(int64(len(text)))
	var took []time.Duration
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		New().Redact(text)
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkFirstUse is the one-off cost of reading the rule set, paid by
// the first request that goes to a remote model; each rule's pattern is
// compiled later, when its keyword first appears.
func BenchmarkFirstUse(b *testing.B) {
	for b.Loop() {
		parseRules(gitleaksTOML)
	}
}
