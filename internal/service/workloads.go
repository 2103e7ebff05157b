package service

import (
	"encoding/base64"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/score"
)

// WorkloadFile is one Score file as the door read it.
type WorkloadFile struct {
	Name string
	Data []byte
	// ReadSource reads a file a `files` entry names by `source`, relative
	// to the Score file; nil when sources cannot be read.
	ReadSource func(path string) ([]byte, error)
}

// WorkloadInput is a set of Score files with score-compose style overrides,
// which apply to every file.
type WorkloadInput struct {
	Files         []WorkloadFile
	OverridesFile string
	OverridesData []byte
	Properties    []string
}

// ParseWorkloads parses and validates every file, reporting every problem
// of every file, and inlines files given by `source` so that a plan carries
// everything it needs.
func ParseWorkloads(in WorkloadInput) ([]*score.Workload, error) {
	if len(in.Files) == 0 {
		return nil, errs.New(errs.Invalid, "no Score files given")
	}
	var list errs.List
	var out []*score.Workload
	seen := map[string]string{}
	for _, f := range in.Files {
		w, err := score.ParseWithOverrides(f.Name, f.Data, in.OverridesFile, in.OverridesData, in.Properties)
		if err != nil {
			list.Add(err)
			continue
		}
		if other, dup := seen[w.Name]; dup {
			list.Add(errs.At(f.Name, 0, "/metadata/name", "workload %q is also defined in %s", w.Name, other))
			continue
		}
		seen[w.Name] = f.Name
		if err := inlineSources(w, f); err != nil {
			list.Add(err)
			continue
		}
		out = append(out, w)
	}
	if len(list) > 0 {
		list.Sort()
		return nil, list
	}
	return out, nil
}

// maxSourceBytes bounds a file read through `source`.
const maxSourceBytes = 1 << 20

func inlineSources(w *score.Workload, f WorkloadFile) error {
	var list errs.List
	for cn, c := range w.Containers {
		for path, file := range c.Files {
			if file.Source == nil {
				continue
			}
			if f.ReadSource == nil {
				list.Add(w.Errorf(file.Pointer+"/source", "file sources cannot be read here: use content"))
				continue
			}
			data, err := f.ReadSource(*file.Source)
			if err != nil {
				list.Add(w.Errorf(file.Pointer+"/source", "cannot read %q: %s", *file.Source, errs.Errors(err)[0].Message))
				continue
			}
			if len(data) > maxSourceBytes {
				list.Add(w.Errorf(file.Pointer+"/source", "%q is larger than %d bytes", *file.Source, maxSourceBytes))
				continue
			}
			file.Source = nil
			if utf8.Valid(data) {
				text := string(data)
				file.Content = &text
			} else {
				b64 := base64.StdEncoding.EncodeToString(data)
				file.BinaryContent = &b64
			}
			c.Files[path] = file
		}
		w.Containers[cn] = c
	}
	return list.Err()
}
