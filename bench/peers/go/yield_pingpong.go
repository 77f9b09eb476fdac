package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func yielder(n int64, total *int64, wg *sync.WaitGroup) {
	defer wg.Done()
	var done int64
	for i := int64(0); i < n; i++ {
		runtime.Gosched()
		done++
	}
	*total = done
}

// yieldPingpong: two goroutines each yield n times; the peer of two weft tasks each doing
// n co_await weft::yield(). Reports wall time per yield (2n yields).
func yieldPingpong(n int64, reps int) error {
	perYield := make([]float64, 0, reps)
	for r := -1; r < reps; r++ { // r == -1: the untimed warm-up
		var wg sync.WaitGroup
		var a, b int64
		t0 := time.Now()
		wg.Add(2)
		go yielder(n, &a, &wg)
		go yielder(n, &b, &wg)
		wg.Wait()
		d := time.Since(t0)
		if a+b != 2*n {
			return fmt.Errorf("yield count %d", a+b)
		}
		if r >= 0 {
			perYield = append(perYield, nsPer(d, 2*n))
		}
	}
	result("yield_pingpong", median(perYield), "ns_per_yield",
		fmt.Sprintf("n=%d reps=%d min=%f", n, reps, minimum(perYield)))
	return nil
}
