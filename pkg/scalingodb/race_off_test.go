//go:build !race

package scalingodb

// raceEnabled shrinks the soak under the race detector, which slows every
// request about tenfold; the full count runs without it.
const raceEnabled = false
