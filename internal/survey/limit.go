package survey

import (
	"sync"
	"time"
)

// LimitConfig sets the public side's rate limits: at most N tries per key
// in each window.
//
// 取舍: the limits live in memory, per process. A restart forgets them and
// two processes would each allow the full rate; the household codes, the
// phone codes and the one-answer-per-voter rule are what stop stuffing, and
// these limits only slow down a script hammering the public link. Mobile
// networks put many phones behind one address (CGNAT), so the per-address
// limit is generous; the per-grid limit is about what a real grid of a few
// hundred households can produce in an hour at a community meeting.
type LimitConfig struct {
	Window time.Duration
	// PerIP bounds answers and SMS requests from one address.
	PerIP int
	// PerGrid bounds answers about one grid.
	PerGrid int
	// PerPhone bounds SMS codes sent to one phone.
	PerPhone int
}

// DefaultLimits are the limits NewStore starts with.
var DefaultLimits = LimitConfig{Window: time.Hour, PerIP: 30, PerGrid: 120, PerPhone: 3}

// Limits counts tries per key in fixed windows.
type Limits struct {
	cfg LimitConfig
	mu  sync.Mutex
	// windows are the current window's start and count per key.
	windows map[string]*window
	swept   time.Time
}

type window struct {
	start time.Time
	n     int
}

// NewLimits returns empty counters for cfg.
func NewLimits(cfg LimitConfig) *Limits {
	return &Limits{cfg: cfg, windows: map[string]*window{}}
}

// Allow counts one try of key at now against limit, and reports whether it
// is allowed and, if not, how long until the window ends. A limit of 0 or
// less allows everything.
func (l *Limits) Allow(key string, limit int, now time.Time) (bool, time.Duration) {
	if limit <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget ended windows now and then, so that the map stays as large as
	// one window's keys.
	if now.Sub(l.swept) > l.cfg.Window {
		for k, w := range l.windows {
			if now.Sub(w.start) >= l.cfg.Window {
				delete(l.windows, k)
			}
		}
		l.swept = now
	}
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= l.cfg.Window {
		w = &window{start: now}
		l.windows[key] = w
	}
	if w.n >= limit {
		return false, w.start.Add(l.cfg.Window).Sub(now)
	}
	w.n++
	return true, 0
}
