package platform

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// APIVersion is the apiVersion of every platform config document.
const APIVersion = "pave.dev/v1"

// The kinds of platform config documents.
const (
	KindResourceType       = "ResourceType"
	KindResourceDefinition = "ResourceDefinition"
	KindEnvironment        = "Environment"
	KindEnvironmentType    = "EnvironmentType"
)

var kinds = []string{KindEnvironment, KindEnvironmentType, KindResourceDefinition, KindResourceType}

// LoadOptions are what Load needs from outside the package.
type LoadOptions struct {
	// KnownDriver reports whether a driver exists; a definition naming any
	// other driver is an error. Nil accepts every driver name, for tools
	// that lint config without the drivers at hand.
	KnownDriver func(name string) bool
	// ValidateInputs checks a definition's inputs, placeholders unresolved,
	// for its driver; nil skips the check. Problems may be an errs.List whose
	// paths are JSON pointers relative to the inputs; their messages are
	// shown to users and must not hold secret values.
	ValidateInputs func(driver string, inputs map[string]any) error
	// Dir is the absolute directory the config is read from, which drivers
	// resolve relative paths of their inputs against (Platform.Dir); empty
	// when the config is not read from a directory (a Git commit, a test).
	Dir string
}

// DriverOptions returns LoadOptions that check driver names against r and
// inputs with the drivers that implement driver.DirInputValidator or
// driver.InputValidator. dir is the absolute directory the config is read
// from, or empty (see LoadOptions.Dir).
func DriverOptions(r *driver.Registry, dir string) LoadOptions {
	return LoadOptions{
		KnownDriver: func(name string) bool { _, ok := r.Get(name); return ok },
		ValidateInputs: func(name string, inputs map[string]any) error {
			d, _ := r.Get(name)
			switch v := d.(type) {
			case driver.DirInputValidator:
				return v.ValidateInputsIn(dir, inputs)
			case driver.InputValidator:
				return v.ValidateInputs(inputs)
			}
			return nil
		},
		Dir: dir,
	}
}

// Load reads every *.yaml and *.yml file of fsys, except those under a
// top-level policies/ directory or any directory or file whose name starts
// with ".", and returns the checked platform or an errs.List of every
// problem found, sorted, each "file:line: /pointer: message".
func Load(fsys fs.FS, opts LoadOptions) (*Platform, error) {
	files := map[string][]byte{}
	var l errs.List
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			l = append(l, errs.Wrap(errs.Invalid, err, "%s: cannot read", p))
			return nil
		}
		base := d.Name()
		if p != "." && strings.HasPrefix(base, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p == "policies" {
				return fs.SkipDir
			}
			return nil
		}
		if ext := path.Ext(base); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Size() > yamldoc.MaxBytes {
			l = append(l, errs.At(p, 0, "", "file is %d bytes, larger than the %d byte limit", info.Size(), yamldoc.MaxBytes))
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			l = append(l, errs.Wrap(errs.Invalid, err, "%s: cannot read", p))
			return nil
		}
		files[p] = data
		return nil
	})
	if err != nil {
		l = append(l, errs.Wrap(errs.Invalid, err, "cannot read platform config"))
	}
	p, err := LoadFiles(files, opts)
	if len(l) > 0 {
		l.Add(err)
		l.Sort()
		return nil, l
	}
	return p, err
}

// LoadFiles is Load over file contents by file name, such as those of a Git
// commit or a test. Every file is read, whatever its name.
func LoadFiles(files map[string][]byte, opts LoadOptions) (*Platform, error) {
	ld := &loader{
		p: &Platform{
			types:    BuiltinTypes(),
			defs:     map[string]*ResourceDefinition{},
			envs:     map[string]*Environment{},
			envTypes: map[string]*EnvironmentType{},
		},
		seen: map[string]Source{},
		opts: opts,
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		docs, err := yamldoc.Decode(n, files[n])
		if err != nil {
			ld.errs.Add(err)
			continue
		}
		for _, d := range docs {
			ld.document(d)
		}
	}
	ld.check()
	if len(ld.errs) > 0 {
		ld.errs.Sort()
		return nil, ld.errs
	}
	ld.p.buildIndex()
	ld.p.dir = opts.Dir
	return ld.p, nil
}

type loader struct {
	p    *Platform
	seen map[string]Source // "Kind/name" -> first definition
	opts LoadOptions
	errs errs.List
}

// document decodes one document into the platform.
func (ld *loader) document(d *yamldoc.Doc) {
	r := yamldoc.NewReader(d)
	defer func() { ld.errs = append(ld.errs, r.Errs...) }()
	top, ok := r.Map("", d.Value)
	if !ok {
		return
	}
	r.Known("", top, "apiVersion", "kind", "metadata", "spec")
	if v, ok := r.String("", top, "apiVersion", true); ok && v != APIVersion {
		r.Fail("/apiVersion", "unsupported apiVersion %q (expected %s)", v, APIVersion)
	}
	kind, ok := r.String("", top, "kind", true)
	if ok && !slices.Contains(kinds, kind) {
		r.Fail("/kind", "unknown kind %q (expected %s)", kind, orList(kinds))
		return
	}
	name, nameOK := ld.metadata(r, top)
	spec := map[string]any(nil)
	if raw, present := top["spec"]; present {
		spec, _ = r.Map("/spec", raw)
	} else if kind != KindEnvironmentType {
		r.Fail("/spec", "required")
	}
	if !ok || !nameOK || (spec == nil && kind != KindEnvironmentType) {
		return
	}
	src := Source{File: d.File, Line: d.Line("")}
	key := kind + "/" + name
	if first, dup := ld.seen[key]; dup {
		r.Fail("/metadata/name", "duplicate %s %q (first defined at %s)", kind, name, first)
		return
	}
	ld.seen[key] = src
	switch kind {
	case KindResourceType:
		if b, ok := builtinTypes()[name]; ok && b.BuiltIn {
			r.Fail("/metadata/name", "resource type %q is built in and cannot be redefined; choose another name", name)
			return
		}
		ld.p.types[name] = decodeResourceType(r, name, spec, src)
	case KindResourceDefinition:
		ld.p.defs[name] = decodeDefinition(r, name, spec, src)
	case KindEnvironment:
		ld.p.envs[name] = decodeEnvironment(r, name, spec, src)
	case KindEnvironmentType:
		ld.p.envTypes[name] = decodeEnvironmentType(r, name, spec, src)
	}
}

// metadata reads metadata.name, the only metadata field.
func (ld *loader) metadata(r *yamldoc.Reader, top map[string]any) (string, bool) {
	if !r.Required("", top, "metadata") {
		return "", false
	}
	m, ok := r.Map("/metadata", top["metadata"])
	if !ok {
		return "", false
	}
	r.Known("/metadata", m, "name")
	name, ok := r.String("/metadata", m, "name", true)
	if ok && !nameRE.MatchString(name) {
		r.Fail("/metadata/name", "%s", nameRule)
		return "", false
	}
	return name, ok
}

// inputProblems turns a driver's input validation error into located problems.
func inputProblems(d *ResourceDefinition, err error) errs.List {
	var items []*errs.Error
	var l errs.List
	var e *errs.Error
	switch {
	case errors.As(err, &l):
		items = l
	case errors.As(err, &e):
		items = []*errs.Error{e}
	default:
		items = []*errs.Error{{Message: err.Error()}}
	}
	var out errs.List
	for _, it := range items {
		p := "/spec/inputs"
		// Drivers may report paths relative to the inputs or rooted at them.
		rel := strings.TrimPrefix(it.Path, "/inputs")
		if rel != "" && rel != "/" && strings.HasPrefix(rel, "/") {
			p += rel
		}
		out = append(out, d.doc.Errorf(p, "driver %s: %s", d.Driver, it.Message))
	}
	return out
}
