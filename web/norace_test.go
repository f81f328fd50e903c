//go:build !race

package web

// raceDetector is whether the tests run under the race detector, whose
// instrumentation allocates: allocation counts are not asserted then.
const raceDetector = false
