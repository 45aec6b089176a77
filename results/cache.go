package results

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// ttlCache keeps what a key built for ttl (none when ttl is negative);
// safe for concurrent use. Concurrent requests for a key that is not
// cached share one build. It holds at most maxEntries; past that expired
// entries go and, if that is not enough, everything (a flood of distinct
// keys must not grow it).
type ttlCache[V any] struct {
	ttl     time.Duration
	mu      sync.Mutex
	m       map[cacheKey]cacheEntry[V]
	flights singleflight.Group
}

type cacheEntry[V any] struct {
	v   V
	exp time.Time
}

const maxEntries = 1024

func newTTLCache[V any](ttl time.Duration) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, m: map[cacheKey]cacheEntry[V]{}}
}

// get returns the value of k while it is fresh at now, or builds it. The
// build runs on a context of its own (30 s): the requests waiting on it
// share its result, and a client that goes away must not fail the others.
func (c *ttlCache[V]) get(ctx context.Context, k cacheKey, now time.Time, build func(context.Context) (V, error)) (V, error) {
	if v, ok := c.fresh(k, now); ok {
		return v, nil
	}
	v, err, _ := c.flights.Do(k.String(), func() (any, error) {
		if v, ok := c.fresh(k, now); ok {
			return v, nil
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		v, err := build(ctx)
		if err != nil {
			return nil, err
		}
		if c.ttl > 0 {
			c.put(k, v, now)
		}
		return v, nil
	})
	if err != nil {
		var zero V
		return zero, err
	}
	return v.(V), nil
}

func (c *ttlCache[V]) fresh(k cacheKey, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !now.Before(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[V]) put(k cacheKey, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxEntries {
		for k, e := range c.m {
			if !now.Before(e.exp) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxEntries {
			clear(c.m)
		}
	}
	c.m[k] = cacheEntry[V]{v, now.Add(c.ttl)}
}

// cacheKey names one cached response.
type cacheKey struct {
	code   string
	scope  string // Scope.key(): "" for the whole election
	view   View
	lang   string
	format string
	exp    int64
	bound  bool // an officials' link bound to the scope's ward
}

func (k cacheKey) String() string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%v", k.code, k.scope, k.view, k.lang, k.format, k.exp, k.bound)
}
