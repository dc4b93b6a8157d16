// Baseline (c): the seed pipeline written the way Go tutorials do it: a goroutine per
// source, a pool of worker goroutines per stage, buffered channels between them, and one
// sink goroutine computing the same checksum as the graph's `count` sink.
//
//	pipeline -records N -mode record   one record per channel message
//	pipeline -records N -mode slice    a slice of -batch records per message
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
)

func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hashBytes(s string, seed uint64) uint64 {
	h := mix(seed ^ uint64(len(s)))
	i := 0
	for ; i+8 <= len(s); i += 8 {
		h = mix(h ^ binary.LittleEndian.Uint64([]byte(s[i:i+8])))
	}
	var tail [8]byte
	copy(tail[:], s[i:])
	if i < len(s) {
		h = mix(h ^ binary.LittleEndian.Uint64(tail[:]))
	} else {
		h = mix(h ^ 0)
	}
	return h
}

func hashInt(v int64) uint64 { return mix((2 << 56) ^ uint64(v)) }
func hashDouble(d float64) uint64 {
	if d == 0 {
		d = 0
	}
	return mix((3 << 56) ^ mix(math.Float64bits(d)))
}

type Record struct {
	ID       int64
	Value    float64
	Ts       int64
	Category float64
	Source   string
}

type source struct {
	name   string
	stream uint64
	count  int64
}

func (s *source) make(id int64) Record {
	unit := float64(mix(s.stream+uint64(id))>>11) * (1.0 / (1 << 53))
	return Record{ID: id, Value: -100.0 + 1100.0*unit, Ts: 1_700_000_000_000_000_000 + id*1000, Source: s.name}
}

type checksum struct {
	id, value, source, ts, category uint64
	records, sum                    uint64
	sourceHash                      map[string]uint64
}

func newChecksum() *checksum {
	n := func(s string) uint64 { return hashBytes(s, 0x6e616d65) }
	return &checksum{id: n("id"), value: n("value"), source: n("source"), ts: n("ts"), category: n("category"),
		sourceHash: map[string]uint64{}}
}

func (c *checksum) add(r *Record) {
	sh, ok := c.sourceHash[r.Source]
	if !ok {
		sh = hashBytes(r.Source, 4<<56)
		c.sourceHash[r.Source] = sh
	}
	h := mix(c.id^hashInt(r.ID)) + mix(c.value^hashDouble(r.Value)) + mix(c.source^sh) +
		mix(c.ts^hashInt(r.Ts)) + mix(c.category^hashDouble(r.Category))
	c.sum += mix(h)
	c.records++
}

func sources(total int64) []*source {
	var s []*source
	for i := int64(0); i < 3; i++ {
		n := total / 3
		if i < total%3 {
			n++
		}
		s = append(s, &source{name: "s" + strconv.FormatInt(i+1, 10), stream: mix(uint64(i + 1)), count: n})
	}
	return s
}

// stage runs `workers` goroutines applying f to every message of in; out closes when all are done.
func stage[T any](in <-chan T, workers, buffer int, f func(T) (T, bool)) <-chan T {
	out := make(chan T, buffer)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range in {
				if r, ok := f(m); ok {
					out <- r
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	return out
}

func produce[T any](srcs []*source, buffer int, emit func(*source, chan<- T)) <-chan T {
	out := make(chan T, buffer)
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Add(1)
		go func(s *source) { defer wg.Done(); emit(s, out) }(s)
	}
	go func() { wg.Wait(); close(out) }()
	return out
}

func main() {
	records := flag.Int64("records", 10_000_000, "records in total over three sources")
	mode := flag.String("mode", "record", "record: one record per message; slice: a slice per message")
	batch := flag.Int("batch", 256, "records per slice (mode slice)")
	buffer := flag.Int("buffer", 256, "channel buffer (messages)")
	flag.Parse()
	workers := runtime.NumCPU()
	c := newChecksum()
	srcs := sources(*records)
	if *mode == "record" {
		in := produce(srcs, *buffer, func(s *source, out chan<- Record) {
			for id := int64(0); id < s.count; id++ {
				out <- s.make(id)
			}
		})
		kept := stage(in, workers, *buffer, func(r Record) (Record, bool) { return r, r.Value >= 0 })
		scaled := stage(kept, workers, *buffer, func(r Record) (Record, bool) { r.Value *= 2; return r, true })
		done := stage(scaled, workers, *buffer, func(r Record) (Record, bool) {
			r.Category = category(r.Value)
			return r, true
		})
		for r := range done {
			c.add(&r)
		}
	} else {
		in := produce(srcs, *buffer/16+1, func(s *source, out chan<- []Record) {
			for id := int64(0); id < s.count; {
				n := int64(*batch)
				if s.count-id < n {
					n = s.count - id
				}
				b := make([]Record, 0, n)
				for end := id + n; id < end; id++ {
					b = append(b, s.make(id))
				}
				out <- b
			}
		})
		kept := stage(in, workers, 16, func(b []Record) ([]Record, bool) {
			k := b[:0]
			for _, r := range b {
				if r.Value >= 0 {
					k = append(k, r)
				}
			}
			return k, true
		})
		scaled := stage(kept, workers, 16, func(b []Record) ([]Record, bool) {
			for i := range b {
				b[i].Value *= 2
			}
			return b, true
		})
		done := stage(scaled, workers, 16, func(b []Record) ([]Record, bool) {
			for i := range b {
				b[i].Category = category(b[i].Value)
			}
			return b, true
		})
		for b := range done {
			for i := range b {
				c.add(&b[i])
			}
		}
	}
	fmt.Printf("total: %d records, checksum %016x\n", c.records, c.sum)
}

func category(v float64) float64 {
	if v < 200 {
		return 0
	}
	if v < 1000 {
		return 1
	}
	return 2
}
