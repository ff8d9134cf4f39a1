package verifier

import (
	"math"
	"time"
)

// DefaultTolerance is how far the signed time may be from the receiver's clock, either way
// (contract; Stripe and Standard Webhooks use the same 5 minutes).
const DefaultTolerance = 300 * time.Second

// Option changes a default of a verify function.
type Option func(*options)

type options struct {
	tolerance time.Duration
	now       func() time.Time
}

// WithTolerance sets the largest accepted |now − t| (default [DefaultTolerance]). It is
// compared in whole seconds as sent; 0 means "exactly now", not "no check". Negative is an error.
func WithTolerance(d time.Duration) Option {
	return func(o *options) { o.tolerance = d }
}

// WithClock sets the receiver's clock (default time.Now); tests pass a fixed time.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

func resolveOptions(opts []Option) (options, error) {
	o := options{tolerance: DefaultTolerance, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.tolerance < 0 {
		return o, misuse("tolerance must be >= 0, got %s", o.tolerance)
	}
	if o.now == nil {
		return o, misuse("WithClock needs a clock function")
	}
	return o, nil
}

// fresh reports whether |now − timestamp| <= tolerance, both in the past and the future
// (a timestamp far in the future is as suspect as an old one). Float64 is exact here: both
// values are below 2^53.
func (o options) fresh(timestamp int64) bool {
	diff := math.Abs(float64(o.now().Unix()) - float64(timestamp))
	return diff <= o.tolerance.Seconds()
}
