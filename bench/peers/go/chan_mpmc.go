package main

import (
	"fmt"
	"sync"
	"time"
)

const mpmcProducers, mpmcConsumers = 4, 4

// mpmcOnce: 4 producers send the values p, p+4, p+8, ... below n on one buffered channel;
// once all are done it is closed; 4 consumers sum what they receive. The peer of
// bench/peers/weft/chan_mpmc.cpp.
func mpmcOnce(n int64) int64 {
	c := make(chan int64, chanCapacity)
	sums := make(chan int64, mpmcConsumers)
	for k := 0; k < mpmcConsumers; k++ {
		go func() {
			var s int64
			for v := range c {
				s += v
			}
			sums <- s
		}()
	}
	var producers sync.WaitGroup
	producers.Add(mpmcProducers)
	for p := int64(0); p < mpmcProducers; p++ {
		go func(p int64) {
			defer producers.Done()
			for i := p; i < n; i += mpmcProducers {
				c <- i
			}
		}(p)
	}
	producers.Wait()
	close(c)
	var sum int64
	for k := 0; k < mpmcConsumers; k++ {
		sum += <-sums
	}
	return sum
}

func chanMpmc(n int64, reps int) error {
	if n%mpmcProducers != 0 {
		return fmt.Errorf("-n %d is not a multiple of %d", n, mpmcProducers)
	}
	expect := n * (n - 1) / 2
	perItem := make([]float64, 0, reps)
	for r := -1; r < reps; r++ { // r == -1: the untimed warm-up
		t0 := time.Now()
		sum := mpmcOnce(n)
		d := time.Since(t0)
		if sum != expect {
			return fmt.Errorf("sum %d, expected %d", sum, expect)
		}
		if r >= 0 {
			perItem = append(perItem, nsPer(d, n))
		}
	}
	result("chan_mpmc", median(perItem), "ns_per_item",
		fmt.Sprintf("n=%d cap=%d reps=%d min=%f", n, chanCapacity, reps, minimum(perItem)))
	return nil
}
