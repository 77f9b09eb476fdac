package main

import (
	"fmt"
	"time"
)

const chanCapacity = 1024

// spscOnce: one producer goroutine sends 0..n-1 on a buffered channel and closes it; the
// caller receives and sums. The peer of bench/peers/weft/chan_spsc.cpp.
func spscOnce(n int64) int64 {
	c := make(chan int64, chanCapacity)
	go func() {
		for i := int64(0); i < n; i++ {
			c <- i
		}
		close(c)
	}()
	var sum int64
	for v := range c {
		sum += v
	}
	return sum
}

func chanSpsc(n int64, reps int) error {
	expect := n * (n - 1) / 2
	perItem := make([]float64, 0, reps)
	for r := -1; r < reps; r++ { // r == -1: the untimed warm-up
		t0 := time.Now()
		sum := spscOnce(n)
		d := time.Since(t0)
		if sum != expect {
			return fmt.Errorf("sum %d, expected %d", sum, expect)
		}
		if r >= 0 {
			perItem = append(perItem, nsPer(d, n))
		}
	}
	result("chan_spsc", median(perItem), "ns_per_item",
		fmt.Sprintf("n=%d cap=%d reps=%d min=%f", n, chanCapacity, reps, minimum(perItem)))
	return nil
}
