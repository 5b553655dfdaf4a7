package assist

import (
	"container/list"
	"strings"
	"sync"
)

// bucketMax bounds the suggestions kept for one (document, text after
// the cursor) pair. Typing at the end of a file gives every keystroke the
// same empty suffix; the newest few are the ones typing can still match.
const bucketMax = 8

type cacheKey struct {
	uri    string
	suffix string // the window's text after the cursor
}

type cacheEntry struct {
	key      cacheKey
	prefix   string // the window's text before the cursor
	text     string // the suggestion, as inserted
	model    string
	provider string
}

// suggestionCache is an LRU of suggestions. It is keyed by the document
// and the text after the cursor, which typing into a suggestion leaves
// unchanged, and each entry keeps the text before the cursor: a request
// whose prefix is an entry's prefix plus the start of its suggestion gets
// the rest of that suggestion without a model call.
type suggestionCache struct {
	mu      sync.Mutex
	max     int
	order   *list.List // of *cacheEntry, most recent first
	buckets map[cacheKey][]*list.Element
}

func newSuggestionCache(max int) *suggestionCache {
	return &suggestionCache{max: max, order: list.New(), buckets: map[cacheKey][]*list.Element{}}
}

// reset empties the cache and sets its size.
func (c *suggestionCache) reset(max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max = max
	c.order.Init()
	c.buckets = map[cacheKey][]*list.Element{}
}

// get returns the suggestion to show after prefix, and whether there was
// one.
func (c *suggestionCache) get(uri, prefix, suffix string) (*cacheEntry, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	bucket := c.buckets[cacheKey{uri, suffix}]
	for i := len(bucket) - 1; i >= 0; i-- {
		el := bucket[i]
		e := el.Value.(*cacheEntry)
		if rest, ok := typedAhead(e, prefix); ok {
			c.order.MoveToFront(el)
			return e, rest, true
		}
	}
	return nil, "", false
}

// typedAhead returns what is left of e's suggestion once the user has
// typed its start, giving prefix. Both prefixes are windows cut from the
// same text, so one may start a line later than the other: they match
// when the shorter is the end of the longer.
func typedAhead(e *cacheEntry, prefix string) (string, bool) {
	if prefix == e.prefix {
		return e.text, true
	}
	if prefix == "" {
		return "", false
	}
	last := prefix[len(prefix)-1]
	for t := 1; t < len(e.text) && t <= len(prefix); t++ {
		if e.text[t-1] != last || !strings.HasSuffix(prefix, e.text[:t]) {
			continue
		}
		if !sameEnd(prefix[:len(prefix)-t], e.prefix) {
			continue
		}
		if rest := e.text[t:]; !isBlank(rest) {
			return rest, true
		}
	}
	return "", false
}

func sameEnd(a, b string) bool {
	if len(a) < len(b) {
		return strings.HasSuffix(b, a)
	}
	return strings.HasSuffix(a, b)
}

// put remembers a suggestion. The strings are copied: the window is a
// slice of the whole document, which must not stay alive in the cache.
func (c *suggestionCache) put(uri, prefix, suffix, text, model, provider string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max <= 0 {
		return
	}
	key := cacheKey{strings.Clone(uri), strings.Clone(suffix)}
	bucket := c.buckets[key]
	for i, el := range bucket {
		if el.Value.(*cacheEntry).prefix == prefix {
			c.remove(el)
			bucket = append(bucket[:i:i], bucket[i+1:]...)
			break
		}
	}
	el := c.order.PushFront(&cacheEntry{key: key, prefix: strings.Clone(prefix), text: text, model: model, provider: provider})
	bucket = append(bucket, el)
	if len(bucket) > bucketMax {
		c.order.Remove(bucket[0])
		bucket = bucket[1:]
	}
	c.buckets[key] = bucket
	for c.order.Len() > c.max {
		c.evict(c.order.Back())
	}
}

// remove takes el out of the LRU order only; the caller fixes its bucket.
func (c *suggestionCache) remove(el *list.Element) { c.order.Remove(el) }

// evict takes el out of the order and its bucket.
func (c *suggestionCache) evict(el *list.Element) {
	e := c.order.Remove(el).(*cacheEntry)
	bucket := c.buckets[e.key]
	for i, b := range bucket {
		if b == el {
			bucket = append(bucket[:i:i], bucket[i+1:]...)
			break
		}
	}
	if len(bucket) == 0 {
		delete(c.buckets, e.key)
	} else {
		c.buckets[e.key] = bucket
	}
}
