package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// The peer of bench/peers/weft/sleepers.cpp: n goroutines each sleep until one common
// deadline, counted by atomics. Same two modes, same measurement points:
//
//	-mode rss   RSS per parked goroutine, in a fresh process; main returns once it has
//	            measured, which ends the sleeping goroutines.
//	-mode wake  from the deadline until the last goroutine has finished, per goroutine, with a
//	            lead of 1.5x the previous pass's parking time (2x after a late one); late passes and the first pass
//	            do not count.
var sleepMode = flag.String("mode", "wake", "sleepers: rss or wake")

// rssBytes reads the resident set size from /proc/self/statm, as the weft side does.
func rssBytes() (int64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		return 0, err
	}
	return resident * int64(os.Getpagesize()), nil
}

type sleepPass struct {
	parkTime    time.Duration // spawn start until all n counted parked
	late        bool          // the deadline passed before all n were parked
	rssDelta    int64
	wakePerTask float64
}

type sleepCounters struct {
	parked, woke atomic.Int64
	lastDone     time.Time   // written by the last goroutine to finish only
	finished     atomic.Bool // set once lastDone is written
}

func sleeper(c *sleepCounters, n int64, deadline time.Time) {
	c.parked.Add(1)
	time.Sleep(time.Until(deadline))
	// The goroutine that brings the count to n is the last to finish; it alone writes
	// lastDone, then publishes it through finished (waiting for woke to reach n instead would
	// race with the write).
	if c.woke.Add(1) == n {
		c.lastDone = time.Now()
		c.finished.Store(true)
	}
}

func sleepersPass(n int64, lead time.Duration, measureRSS bool) (sleepPass, error) {
	var out sleepPass
	var c sleepCounters
	var rssBefore int64
	if measureRSS {
		// Collect what start-up left, so the baseline is the live heap (the weft side has
		// no collector and needs nothing here).
		runtime.GC()
		var err error
		if rssBefore, err = rssBytes(); err != nil {
			return out, err
		}
	}
	t0 := time.Now()
	deadline := t0.Add(lead)
	for i := int64(0); i < n; i++ {
		go sleeper(&c, n, deadline)
	}
	for c.parked.Load() < n {
		time.Sleep(200 * time.Microsecond)
	}
	allParked := time.Now()
	if measureRSS {
		rssAfter, err := rssBytes()
		if err != nil {
			return out, err
		}
		out.rssDelta = rssAfter - rssBefore
	}
	out.parkTime = allParked.Sub(t0)
	out.late = !allParked.Before(deadline) || c.woke.Load() != 0
	if measureRSS {
		return out, nil // main returns next; the sleepers end with the process
	}
	for !c.finished.Load() {
		time.Sleep(200 * time.Microsecond)
	}
	out.wakePerTask = nsPer(c.lastDone.Sub(deadline), n)
	return out, nil
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func sleepers(n int64, reps int) error {
	common := fmt.Sprintf("n=%d", n)
	switch *sleepMode {
	case "rss":
		p, err := sleepersPass(n, time.Hour, true)
		if err != nil {
			return err
		}
		if p.late {
			return fmt.Errorf("goroutines woke before all were parked")
		}
		result("sleepers_rss", float64(p.rssDelta)/float64(n), "bytes_per_task",
			fmt.Sprintf("%s park_ms=%f", common, ms(p.parkTime)))
		return nil
	case "wake":
	default:
		return fmt.Errorf("-mode %q: want rss or wake", *sleepMode)
	}
	// Bounded, so that a runtime that cannot park n goroutines in time fails, not loops.
	maxPasses := reps + 8
	wake := make([]float64, 0, reps)
	lead := 100 * time.Millisecond
	passes, late := 0, 0
	for len(wake) < reps {
		if passes == maxPasses {
			return fmt.Errorf("%d of %d passes parked late; last lead %v", late, passes, lead)
		}
		p, err := sleepersPass(n, lead, false)
		if err != nil {
			return err
		}
		// A late pass parked fewer goroutines at once (the early ones had already finished),
		// so its parking time understates a full one: give the next pass more room.
		if p.late {
			lead = p.parkTime*2 + 50*time.Millisecond
		} else {
			lead = p.parkTime*3/2 + 50*time.Millisecond
		}
		if p.late {
			late++
		}
		if !p.late && passes > 0 {
			wake = append(wake, p.wakePerTask)
		}
		passes++
	}
	result("sleepers_wake", median(wake), "ns_per_task",
		fmt.Sprintf("%s reps=%d passes=%d late=%d min=%f", common, reps, passes, late,
			minimum(wake)))
	return nil
}
