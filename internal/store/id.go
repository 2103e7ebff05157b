package store

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// crockford is the alphabet of IDs: Crockford's base 32, which sorts in
// byte order like the numbers it encodes.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var idGen struct {
	sync.Mutex
	ms   uint64
	rand [10]byte
}

// NewID returns a new 26-character ID that sorts by creation time: 48 bits
// of Unix milliseconds then 80 random bits (a ULID), in Crockford's base 32.
// IDs made by one process within the same millisecond increase, so they sort
// in the order they were made.
func NewID() string {
	return newIDAt(time.Now())
}

func newIDAt(t time.Time) string {
	ms := uint64(t.UnixMilli())
	idGen.Lock()
	if ms <= idGen.ms {
		// Same (or an earlier, the clock stepped back) millisecond:
		// increment the random part to stay monotonic.
		ms = idGen.ms
		for i := len(idGen.rand) - 1; i >= 0; i-- {
			idGen.rand[i]++
			if idGen.rand[i] != 0 {
				break
			}
			if i == 0 {
				ms++ // 80 bits overflowed: borrow a millisecond.
			}
		}
	} else {
		if _, err := rand.Read(idGen.rand[:]); err != nil {
			panic("store: read random: " + err.Error())
		}
	}
	idGen.ms = ms
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	copy(b[6:], idGen.rand[:])
	idGen.Unlock()
	return encodeID(b)
}

// encodeID encodes 128 bits as 26 base-32 digits (the first holds 3 bits).
func encodeID(b [16]byte) string {
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
