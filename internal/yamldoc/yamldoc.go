// Package yamldoc decodes YAML and JSON documents into plain Go values (maps,
// slices, strings, numbers, booleans, nil) while remembering the line of every
// value by its JSON pointer, so that validators can report "file:line: /path:
// message". It guards against hostile input: size limits, alias bombs, deep
// nesting, duplicate and non-string keys.
package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/errs"
)

// Limits that keep hostile documents cheap to reject.
const (
	MaxBytes     = 4 << 20 // one file
	MaxNodes     = 200_000 // values after alias expansion, per document
	MaxDepth     = 64
	MaxDocuments = 1_000
)

// Doc is one decoded document.
type Doc struct {
	File  string
	Value any
	lines map[string]int
	// Line of the document's start, for errors about the whole document.
	Start int
}

// Line returns the line of the value at pointer, or of its nearest ancestor
// that has one.
func (d *Doc) Line(pointer string) int {
	for {
		if l, ok := d.lines[pointer]; ok {
			return l
		}
		if pointer == "" {
			return d.Start
		}
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			return d.Start
		}
		pointer = pointer[:i]
	}
}

// Errorf returns an Invalid error located at pointer in d.
func (d *Doc) Errorf(pointer, format string, args ...any) *errs.Error {
	p := pointer
	if p == "" {
		p = "/"
	}
	return errs.At(d.File, d.Line(pointer), p, format, args...)
}

// Decode parses every document in data. JSON is accepted as YAML. file names
// the input in errors.
func Decode(file string, data []byte) ([]*Doc, error) {
	if len(data) > MaxBytes {
		return nil, errs.At(file, 0, "", "file is %d bytes, larger than the %d byte limit", len(data), MaxBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Doc
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(file, err)
		}
		if len(docs) >= MaxDocuments {
			return nil, errs.At(file, n.Line, "", "more than %d documents", MaxDocuments)
		}
		d := &Doc{File: file, lines: map[string]int{}, Start: n.Line}
		b := builder{doc: d}
		root := &n
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				continue
			}
			root = n.Content[0]
		}
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "" {
			continue // an empty document between separators
		}
		d.Start = root.Line
		v, err := b.build(root, "", 0)
		if err != nil {
			return nil, err
		}
		d.Value = v
		docs = append(docs, d)
	}
	return docs, nil
}

// DecodeOne parses data that must hold exactly one document.
func DecodeOne(file string, data []byte) (*Doc, error) {
	docs, err := Decode(file, data)
	if err != nil {
		return nil, err
	}
	switch len(docs) {
	case 0:
		return nil, errs.At(file, 0, "", "empty document")
	case 1:
		return docs[0], nil
	default:
		return nil, errs.At(file, docs[1].Start, "", "expected one document, found %d", len(docs))
	}
}

// syntaxError turns a yaml.v3 error ("yaml: line 3: ...") into a located one.
func syntaxError(file string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, convErr := strconv.Atoi(rest[:i]); convErr == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return errs.At(file, line, "", "syntax error: %s", msg)
}

type builder struct {
	doc   *Doc
	nodes int
}

func (b *builder) build(n *yaml.Node, ptr string, depth int) (any, error) {
	b.nodes++
	if b.nodes > MaxNodes {
		return nil, b.doc.errAt(n.Line, ptr, "document has more than %d values (alias expansion included)", MaxNodes)
	}
	if depth > MaxDepth {
		return nil, b.doc.errAt(n.Line, ptr, "nested deeper than %d levels", MaxDepth)
	}
	if _, seen := b.doc.lines[ptr]; !seen {
		b.doc.lines[ptr] = n.Line
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, b.doc.errAt(n.Line, ptr, "unknown alias")
		}
		return b.build(n.Alias, ptr, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				return nil, b.doc.errAt(k.Line, ptr, "merge keys (<<) are not supported")
			}
			if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!int" && k.Tag != "!!bool" && k.Tag != "!!float" && k.Tag != "!!null") {
				return nil, b.doc.errAt(k.Line, ptr, "mapping keys must be strings")
			}
			key := k.Value
			child := ptr + "/" + EscapePointer(key)
			if _, dup := m[key]; dup {
				return nil, b.doc.errAt(k.Line, child, "duplicate key %q", key)
			}
			b.doc.lines[child] = k.Line
			cv, err := b.build(v, child, depth+1)
			if err != nil {
				return nil, err
			}
			m[key] = cv
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			cv, err := b.build(c, ptr+"/"+strconv.Itoa(i), depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, cv)
		}
		return s, nil
	case yaml.ScalarNode:
		return scalar(n, b.doc, ptr)
	default:
		return nil, b.doc.errAt(n.Line, ptr, "unsupported YAML node")
	}
}

func (d *Doc) errAt(line int, ptr, format string, args ...any) *errs.Error {
	if ptr == "" {
		ptr = "/"
	}
	return errs.At(d.File, line, ptr, format, args...)
}

func scalar(n *yaml.Node, d *Doc, ptr string) (any, error) {
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return nil, d.errAt(n.Line, ptr, "invalid boolean %q", n.Value)
		}
		return v, nil
	case "!!int":
		var v int64
		if err := n.Decode(&v); err != nil {
			return nil, d.errAt(n.Line, ptr, "integer %q out of range", n.Value)
		}
		return v, nil
	case "!!float":
		var v float64
		if err := n.Decode(&v); err != nil {
			return nil, d.errAt(n.Line, ptr, "invalid number %q", n.Value)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, d.errAt(n.Line, ptr, "number %q is not finite", n.Value)
		}
		return v, nil
	case "!!str", "!!binary", "!!timestamp", "":
		return n.Value, nil
	default:
		return nil, d.errAt(n.Line, ptr, "unsupported tag %s", n.Tag)
	}
}

// EscapePointer escapes one JSON-pointer reference token (RFC 6901).
func EscapePointer(token string) string {
	if !strings.ContainsAny(token, "~/") {
		return token
	}
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}

// Join builds a JSON pointer from a parent pointer and raw tokens.
func Join(parent string, tokens ...any) string {
	var b strings.Builder
	b.WriteString(parent)
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(EscapePointer(fmt.Sprint(t)))
	}
	return b.String()
}
