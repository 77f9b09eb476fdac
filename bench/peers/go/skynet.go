package main

import (
	"fmt"
	"time"
)

// skynet is the classic channel version: each node starts its children as goroutines and
// receives their sums on an unbuffered channel.
func skynetNode(c chan<- int64, num, size, div int64) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int64)
	for i := int64(0); i < div; i++ {
		go skynetNode(rc, num+i*(size/div), size/div, div)
	}
	var sum int64
	for i := int64(0); i < div; i++ {
		sum += <-rc
	}
	c <- sum
}

func skynet(n int64, reps int) error {
	p := n
	for p > 1 && p%10 == 0 {
		p /= 10
	}
	if p != 1 {
		return fmt.Errorf("-n %d is not a power of 10", n)
	}
	expect := n * (n - 1) / 2
	ms := make([]float64, 0, reps)
	for r := -1; r < reps; r++ { // r == -1: the untimed warm-up
		t0 := time.Now()
		c := make(chan int64)
		go skynetNode(c, 0, n, 10)
		sum := <-c
		d := time.Since(t0)
		if sum != expect {
			return fmt.Errorf("sum %d, expected %d", sum, expect)
		}
		if r >= 0 {
			ms = append(ms, float64(d.Nanoseconds())/1e6)
		}
	}
	result("skynet", median(ms), "ms", fmt.Sprintf("n=%d reps=%d min=%f", n, reps, minimum(ms)))
	return nil
}
