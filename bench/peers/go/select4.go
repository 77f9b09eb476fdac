package main

import (
	"fmt"
	"sync"
	"time"
)

const selectProducers = 4

// select4Once: producer p sends p, p+4, p+8, ... below n on its own buffered channel; the
// caller runs n four-case selects, one item each, and sums. The channels are not closed. The
// peer of bench/peers/weft/select4.cpp.
func select4Once(n int64) int64 {
	var cs [selectProducers]chan int64
	for p := range cs {
		cs[p] = make(chan int64, chanCapacity)
	}
	var producers sync.WaitGroup
	producers.Add(selectProducers)
	for p := int64(0); p < selectProducers; p++ {
		go func(p int64) {
			defer producers.Done()
			for i := p; i < n; i += selectProducers {
				cs[p] <- i
			}
		}(p)
	}
	var sum int64
	for i := int64(0); i < n; i++ {
		select {
		case v := <-cs[0]:
			sum += v
		case v := <-cs[1]:
			sum += v
		case v := <-cs[2]:
			sum += v
		case v := <-cs[3]:
			sum += v
		}
	}
	producers.Wait()
	return sum
}

func select4(n int64, reps int) error {
	if n%selectProducers != 0 {
		return fmt.Errorf("-n %d is not a multiple of %d", n, selectProducers)
	}
	expect := n * (n - 1) / 2
	perItem := make([]float64, 0, reps)
	for r := -1; r < reps; r++ { // r == -1: the untimed warm-up
		t0 := time.Now()
		sum := select4Once(n)
		d := time.Since(t0)
		if sum != expect {
			return fmt.Errorf("sum %d, expected %d", sum, expect)
		}
		if r >= 0 {
			perItem = append(perItem, nsPer(d, n))
		}
	}
	result("select4", median(perItem), "ns_per_item",
		fmt.Sprintf("n=%d cap=%d reps=%d min=%f", n, chanCapacity, reps, minimum(perItem)))
	return nil
}
