package web

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// publications is what a server following its source's publications (PostgreSQL)
// knows of that feed; readyz shows it. A server loading a snapshot file has none.
type publications struct {
	Following bool      `json:"following"`
	Since     time.Time `json:"since"`
	Error     string    `json:"error,omitempty"`
}

// followingGauge is registered on the first SetFollowing, so that a server that
// follows nothing does not claim to have lost its feed.
type followingGauge struct {
	once  sync.Once
	gauge prometheus.Gauge
}

// SetFollowing records whether the server follows its source's publications, and
// why not when it does not: readyz says so, and /metrics through
// zonage_publications_following. While it does not, the server keeps serving the
// version it has, which a newer publication may have replaced; readyz still answers
// 200, since taking every replica out of service when the database restarts would
// turn a pause in updates into an outage.
func (s *Server) SetFollowing(following bool, err error) {
	s.following.once.Do(func() {
		s.following.gauge = prometheus.NewGauge(prometheus.GaugeOpts{Name: "zonage_publications_following",
			Help: "1 quand le serveur suit les publications de sa source (PostgreSQL), 0 quand il les a perdues."})
		s.metrics.registry.MustRegister(s.following.gauge)
	})
	next := &publications{Following: following, Since: time.Now()}
	if err != nil {
		next.Error = err.Error()
	}
	// One writer at a time, so that "since" keeps the instant the state last changed.
	s.followingMu.Lock()
	defer s.followingMu.Unlock()
	if prev := s.publications.Load(); prev != nil && prev.Following == following {
		next.Since = prev.Since
	}
	s.publications.Store(next)
	if following {
		s.following.gauge.Set(1)
	} else {
		s.following.gauge.Set(0)
	}
}
