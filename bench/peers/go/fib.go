package main

import (
	"fmt"
	"sync"
	"time"
)

// fibTask: a goroutine per call, the peer of bench/peers/weft/fib.cpp: fib(n-1) runs in a new
// goroutine, fib(n-2) inline, and a WaitGroup joins them.
func fibTask(n int64) int64 {
	if n < 2 {
		return n
	}
	var a int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		a = fibTask(n - 1)
		wg.Done()
	}()
	b := fibTask(n - 2)
	wg.Wait()
	return a + b
}

func fibIterative(n int64) int64 {
	a, b := int64(0), int64(1)
	for i := int64(0); i < n; i++ {
		a, b = b, a+b
	}
	return a
}

func fib(n int64, reps int) error {
	if n > 50 {
		return fmt.Errorf("-n %d: at most 50", n)
	}
	expect := fibIterative(n)
	ms := make([]float64, 0, reps)
	for r := -1; r < reps; r++ { // r == -1: the untimed warm-up
		t0 := time.Now()
		v := fibTask(n)
		d := time.Since(t0)
		if v != expect {
			return fmt.Errorf("fib(%d) = %d, expected %d", n, v, expect)
		}
		if r >= 0 {
			ms = append(ms, float64(d.Nanoseconds())/1e6)
		}
	}
	result("fib", median(ms), "ms", fmt.Sprintf("n=%d reps=%d min=%f", n, reps, minimum(ms)))
	return nil
}
