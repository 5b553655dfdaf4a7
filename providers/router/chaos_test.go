package router

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/config"
	"switchyard/providers"
	"switchyard/providers/providertest"
)

// fault is one scripted failure a fake can answer with.
type fault struct {
	name  string
	reply providertest.Reply
}

var faults = []fault{
	{"ok", providertest.Reply{}}, // replaced by the fake's own text
	{"429", rateLimited()},
	{"500", providertest.Fail(http.StatusInternalServerError, "server_error", "", "The server had an error while processing your request.")},
	{"401", providertest.Fail(http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.")},
	{"context", providertest.Fail(http.StatusBadRequest, "invalid_request_error", "context_length_exceeded",
		"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.")},
	{"cut", providertest.Reply{Pieces: []string{"par", "tial"}, Cut: true}},
}

// rateLimited is a 429 with OpenAI's retry-after-ms beside Retry-After,
// short enough that the breaker it opens closes within the test.
func rateLimited() providertest.Reply {
	r := providertest.RateLimited("1")
	r.Header.Set("retry-after-ms", "10")
	return r
}

// TestChaos runs completions while fakes fail in scripted, seeded
// sequences and one remote refuses connections now and then. Every
// request must end in a valid answer from an allowed fake or in the
// right error, and no fake the policy forbids may see a single request.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test runs many requests")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var rngMu sync.Mutex
	pick := func() fault {
		rngMu.Lock()
		defer rngMu.Unlock()
		if rng.IntN(3) != 0 {
			return faults[0] // two answers in three succeed
		}
		return faults[rng.IntN(len(faults))]
	}
	newFake := func(name string, chaotic bool) *providertest.OpenAI {
		f := providertest.NewOpenAI(t)
		f.Handle(func(req providertest.Request) providertest.Reply {
			if req.Endpoint == "models" {
				return providertest.Reply{}
			}
			if chaotic {
				if f := pick(); f.name != "ok" {
					return f.reply
				}
			}
			ok := providertest.Text("ok from ", name)
			ok.Delay = time.Millisecond
			return ok
		})
		return f
	}
	alpha := newFake("alpha", true)
	beta := newFake("beta", true)
	box := newFake("box", true)
	gamma := newFake("gamma", false) // outside the allowed jurisdictions
	delta := newFake("delta", false) // trains on data
	g := newGate(t, alpha.URL)

	trains := remoteData("US")
	trains.Training = ptr(true)
	cfg := &config.Config{
		Providers: map[string]config.Provider{
			"alpha": {Type: "openai", BaseURL: g.URL(), Data: remoteData("US")},
			"beta":  {Type: "openai", BaseURL: beta.URL, Data: remoteData("DE")},
			"box":   {Type: "openai", BaseURL: box.URL},
			"gamma": {Type: "openai", BaseURL: gamma.URL, Data: remoteData("CN")},
			"delta": {Type: "openai", BaseURL: delta.URL, Data: trains},
		},
		Models: map[string]config.Model{
			"a":     {Provider: "alpha", ID: "fake-model", Classes: []string{"coding"}, ContextWindow: 8192},
			"b":     {Provider: "beta", ID: "fake-model", Classes: []string{"coding"}, ContextWindow: 128000},
			"c":     {Provider: "gamma", ID: "fake-model", Classes: []string{"coding"}, ContextWindow: 1000000},
			"d":     {Provider: "delta", ID: "fake-model", Classes: []string{"coding"}, ContextWindow: 1000000},
			"small": {Provider: "box", ID: "fake-model", Classes: []string{"coding", "local"}, ContextWindow: 32000},
		},
		Routes: map[string][]string{"coding": {"c", "a", "d", "b", "small"}},
		Policy: config.Policy{
			Jurisdictions: []string{"US", "EU"},
			NoTraining:    true,
			LocalOnly:     []string{"secret/**"},
		},
	}
	r, err := New(cfg, Options{
		ProbeInterval:   10 * time.Millisecond,
		RetryBackoff:    2 * time.Millisecond,
		BreakerCooldown: 10 * time.Millisecond,
		AuthCooldown:    10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	defer r.Close()

	// The network to alpha flaps while requests run.
	stop := make(chan struct{})
	flapped := make(chan struct{})
	go func() {
		defer close(flapped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				g.Open()
				return
			case <-time.After(15 * time.Millisecond):
			}
			if i%2 == 0 {
				g.Refuse()
			} else {
				g.Open()
			}
		}
	}()

	const requests, workers = 120, 6
	counts := map[string]int{}
	var countsMu sync.Mutex
	count := func(k string) { countsMu.Lock(); counts[k]++; countsMu.Unlock() }
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				time.Sleep(2 * time.Millisecond) // spread requests across breaker cool-downs and flaps
				secret := i%4 == 0
				need := providers.Need{Task: config.TaskCoding, PromptTokens: 4000}
				marker := fmt.Sprintf("request-%d", i)
				if secret {
					need.Paths = []string{"/work/repo/secret/keys.go"}
					marker = fmt.Sprintf("SECRET-%d", i)
				}
				call := func(ctx context.Context, t providers.Target) (providers.Stream, error) {
					return t.Provider.Chat(ctx, &providers.ChatRequest{Model: t.Model.ID, Messages: []providers.Message{{Role: providers.RoleUser, Content: marker}}})
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				s, target, err := r.Stream(ctx, need, call)
				if err != nil {
					cancel()
					var nr *NoRouteError
					if !errors.As(err, &nr) {
						t.Errorf("%s: error %v is not a routing error", marker, err)
						continue
					}
					for _, c := range nr.Decision.Candidates {
						if c.Kept || c.Rule == "" || c.Reason == "" {
							t.Errorf("%s: the error does not say what removed %s: %v", marker, c.Model, err)
						}
					}
					if k := providers.KindOf(err); nr.Last != nil && !retryableKinds[k] {
						t.Errorf("%s: last error has kind %v: %v", marker, k, err)
					}
					count("no route")
					if testing.Verbose() && i%10 == 1 {
						t.Logf("%s: %v", marker, err)
					}
					continue
				}
				text, err := providers.ReadAll(s)
				cancel()
				provider := target.Model.Provider
				if secret && provider != "box" {
					t.Errorf("%s went to %s: local-only content left the machine", marker, provider)
				}
				if provider == "gamma" || provider == "delta" {
					t.Errorf("%s went to %s, which the policy excludes", marker, provider)
				}
				switch {
				case err == nil && text == "ok from "+provider:
					count("answer")
				case err != nil && text != "" && (strings.HasPrefix("partial", text) || strings.HasPrefix("ok from "+provider, text)) &&
					(providers.KindOf(err) == providers.KindServer || providers.KindOf(err) == providers.KindNetwork):
					// A scripted cut, or the gate closing mid-answer: the
					// text so far has reached the editor, so no fallback.
					count("cut")
				default:
					t.Errorf("%s: got %q and %v from %s", marker, text, err, provider)
				}
			}
		}()
	}
	for i := 0; i < requests; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(stop)
	<-flapped

	for name, f := range map[string]*providertest.OpenAI{"gamma": gamma, "delta": delta} {
		if n := len(f.Requests()); n != 0 {
			t.Errorf("%s, which the policy forbids, received %d requests", name, n)
		}
	}
	for name, f := range map[string]*providertest.OpenAI{"alpha": alpha, "beta": beta} {
		for _, req := range f.Requests() {
			if strings.Contains(string(req.RawBody), "SECRET") {
				t.Errorf("%s received local-only content: %s", name, req.RawBody)
			}
		}
	}
	t.Logf("outcomes: %v; requests seen: alpha %d, beta %d, box %d", counts, len(alpha.Requests()), len(beta.Requests()), len(box.Requests()))
	if counts["answer"] == 0 {
		t.Errorf("no request got an answer: %v", counts)
	}
}

// retryableKinds are the kinds a request may end with after every
// candidate was tried: the scripted faults.
var retryableKinds = map[providers.Kind]bool{
	providers.KindRateLimited:   true,
	providers.KindAuth:          true,
	providers.KindServer:        true,
	providers.KindNetwork:       true,
	providers.KindContextWindow: true,
}
