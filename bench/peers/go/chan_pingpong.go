package main

import (
	"fmt"
	"time"
)

// pingpongOnce bounces an int n times over two unbuffered channels, the peer of
// bench/peers/weft/chan_pingpong.cpp: ping sends i, pong answers i+1, every answer is checked.
func pingpongOnce(n int64) (ok, seen int64) {
	there := make(chan int64)
	back := make(chan int64)
	done := make(chan int64)
	go func() {
		var s int64
		for v := range there {
			back <- v + 1
			s++
		}
		done <- s
	}()
	for i := int64(0); i < n; i++ {
		there <- i
		if <-back == i+1 {
			ok++
		}
	}
	close(there)
	return ok, <-done
}

func chanPingpong(n int64, reps int) error {
	perTrip := make([]float64, 0, reps)
	for r := -1; r < reps; r++ { // r == -1: the untimed warm-up
		t0 := time.Now()
		ok, seen := pingpongOnce(n)
		d := time.Since(t0)
		if ok != n || seen != n {
			return fmt.Errorf("%d correct answers and %d requests seen, expected %d", ok, seen, n)
		}
		if r >= 0 {
			perTrip = append(perTrip, nsPer(d, n))
		}
	}
	result("chan_pingpong", median(perTrip), "ns_per_roundtrip",
		fmt.Sprintf("n=%d reps=%d min=%f", n, reps, minimum(perTrip)))
	return nil
}
