package web

import (
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series of one server. Each server has its own
// registry, so that tests can run several servers in one process.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	lookups  *prometheus.CounterVec
	reloads  *prometheus.CounterVec
	aborted  *prometheus.CounterVec
	dataset  *prometheus.GaugeVec
	loadedAt prometheus.Gauge
	lane     laneCounts // the fast lane's, read by the series below at each scrape

	seenMu sync.Mutex
	seen   atomic.Pointer[map[requestSeries]seriesOfRequest] // see series
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "zonage_http_requests_total", Help: "Requêtes HTTP par route, méthode et statut."},
			[]string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "zonage_http_request_duration_seconds", Help: "Durée des requêtes HTTP par route.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60}}, []string{"route"}),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "zonage_lookups_total", Help: "Résolutions par précision et statut (API et lignes de fichiers)."},
			[]string{"precision", "status"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "zonage_reloads_total", Help: "Rechargements des données, acceptés ou refusés."}, []string{"result"}),
		aborted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "zonage_http_streams_aborted_total", Help: "Réponses en flux interrompues (connexion coupée sans fin de réponse) par route et cause : taille, delai, client, lecture."},
			[]string{"route", "reason"}),
		dataset:  prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "zonage_dataset_info", Help: "Version des données servies (valeur 1)."}, []string{"version"}),
		loadedAt: prometheus.NewGauge(prometheus.GaugeOpts{Name: "zonage_dataset_loaded_timestamp_seconds", Help: "Heure du chargement des données servies."}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.lookups, m.reloads, m.aborted, m.dataset, m.loadedAt,
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "zonage_fastlane_answers_total",
			Help: "Réponses écrites par la voie rapide (GET /api/v1/resolve et /healthz, sans passer par net/http)."},
			func() float64 { return float64(m.lane.answered.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "zonage_fastlane_loop_answers_total",
			Help: "Parmi elles, réponses écrites par les boucles d'événements (Linux)."},
			func() float64 { return float64(m.lane.loopAnswered.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "zonage_fastlane_loop_handoffs_total",
			Help: "Connexions qu'une boucle d'événements a confiées à leur goroutine : requête en plusieurs lectures, réponse que la socket n'a pas prise d'un coup, requête laissée à net/http."},
			func() float64 { return float64(m.lane.handedOver.Load()) }),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// laneCounts are the fast lane's counters, kept by the lane (see fastlane.go)
// and exported as Prometheus series.
type laneCounts struct {
	answered     atomic.Uint64 // requests the lane answered, by the loops or on a connection's goroutine
	loopAnswered atomic.Uint64 // answers an event loop wrote whole
	handedOver   atomic.Uint64 // connections an event loop moved to their goroutine
}

func (m *metrics) datasetLoaded(version string, at time.Time) {
	m.dataset.Reset()
	m.dataset.WithLabelValues(version).Set(1)
	m.loadedAt.Set(float64(at.Unix()))
}

// knownMethods are the methods counted under their own name; any other is counted
// as "other", so that made-up methods cannot create series.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true,
	http.MethodDelete: true, http.MethodOptions: true, http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel is the method as a metric label, from a closed set.
func methodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return "other"
}

// routeLabel is the route template as a metric label (never the raw path, which
// would carry addresses and make series without bound).
func routeLabel(c *gin.Context) string {
	if route := c.FullPath(); route != "" {
		return route
	}
	return "non_route"
}

// count counts a request by route template, method and status, all from
// closed sets, and its duration by route.
func (m *metrics) count(c *gin.Context, took time.Duration) {
	s := m.series(routeLabel(c), methodLabel(c.Request.Method), c.Writer.Status())
	s.requests.Inc()
	s.latency.Observe(took.Seconds())
}

// requestSeries names the series one request is counted in.
type requestSeries struct {
	route, method string
	status        int
}

// seriesOfRequest are the series one request is counted in.
type seriesOfRequest struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// series returns the series of a route, method and status. Their labels come
// from closed sets, so the series seen so far are kept in a map that is copied
// on the rare new one and read without lock or allocation: hashing three labels
// for every request cost more than answering it from ready bytes.
func (m *metrics) series(route, method string, status int) seriesOfRequest {
	key := requestSeries{route, method, status}
	if known := m.seen.Load(); known != nil {
		if s, ok := (*known)[key]; ok {
			return s
		}
	}
	m.seenMu.Lock()
	defer m.seenMu.Unlock()
	known := map[requestSeries]seriesOfRequest{}
	if old := m.seen.Load(); old != nil {
		if s, ok := (*old)[key]; ok {
			return s
		}
		maps.Copy(known, *old)
	}
	s := seriesOfRequest{m.requests.WithLabelValues(route, method, strconv.Itoa(status)), m.latency.WithLabelValues(route)}
	known[key] = s
	m.seen.Store(&known)
	return s
}

func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}
