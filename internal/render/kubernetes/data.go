package kubernetes

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"maps"
	"slices"
	"unicode/utf8"
)

// dataSet is the content of one ConfigMap or Secret: keys are unique and
// valid, text holds UTF-8 values (ConfigMap data), binary holds the others
// (ConfigMap binaryData, or every Secret value), and files records which
// keys are mounted as files and with which mode.
type dataSet struct {
	keys   *allocator
	text   map[string]string
	binary map[string][]byte
	files  map[string]int64
}

func newDataSet() *dataSet {
	return &dataSet{
		keys:   newAllocator(dataKey),
		text:   map[string]string{},
		binary: map[string][]byte{},
		files:  map[string]int64{},
	}
}

func (s *dataSet) empty() bool { return len(s.text) == 0 && len(s.binary) == 0 }

// putConfig stores a ConfigMap value under key: text when it is UTF-8.
func (s *dataSet) putConfig(key string, content []byte) {
	if utf8.Valid(content) {
		s.text[key] = string(content)
		return
	}
	s.binary[key] = content
}

func (s *dataSet) textMap() map[string]any {
	m := make(map[string]any, len(s.text))
	for k, v := range s.text {
		m[k] = v
	}
	return m
}

func (s *dataSet) binaryMap() map[string]any {
	m := make(map[string]any, len(s.binary))
	for k, v := range s.binary {
		m[k] = base64.StdEncoding.EncodeToString(v)
	}
	return m
}

// secretMap is the Secret's data: every value base64-encoded.
func (s *dataSet) secretMap() map[string]any { return s.binaryMap() }

// items lists the file keys for a configMap or secret volume, each at a
// path equal to its key with the file's mode.
func (s *dataSet) items() []any {
	if len(s.files) == 0 {
		return nil
	}
	out := make([]any, 0, len(s.files))
	for _, k := range slices.Sorted(maps.Keys(s.files)) {
		out = append(out, map[string]any{"key": k, "path": k, "mode": s.files[k]})
	}
	return out
}

// configHash hashes the ConfigMap and Secret content of a workload: an
// HMAC-SHA256 under key when key is set, else SHA-256. Every field is
// length-prefixed, so different contents cannot hash alike by shifting
// bytes between keys and values.
func configHash(key []byte, config, secret *dataSet) string {
	var h hash.Hash
	if len(key) > 0 {
		h = hmac.New(sha256.New, key)
	} else {
		h = sha256.New()
	}
	write := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, part := range []struct {
		tag  string
		text map[string]string
		bin  map[string][]byte
	}{{"config", config.text, config.binary}, {"secret", secret.text, secret.binary}} {
		write([]byte(part.tag))
		for _, k := range slices.Sorted(maps.Keys(part.text)) {
			write([]byte("t:" + k))
			write([]byte(part.text[k]))
		}
		for _, k := range slices.Sorted(maps.Keys(part.bin)) {
			write([]byte("b:" + k))
			write(part.bin[k])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
