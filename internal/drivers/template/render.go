package template

import (
	"context"
	"errors"
	"strings"
	"text/template"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/input"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// MaxOutput bounds what one template may render.
const MaxOutput = 1 << 20

// renderer renders the templates of one provision.
type renderer struct {
	ctx  context.Context
	data *data
	// prev are the random values of the last run by call site; next
	// collects those of this run.
	prev, next map[string]string
}

// parse checks every template's syntax without running it.
func (s *spec) parse() error {
	var list errs.List
	for _, f := range []field{s.outputs, s.secrets} {
		if f.isOne {
			list.Add(parseOnly(f.name, "/"+f.name, f.one))
			continue
		}
		for _, k := range yamldoc.SortedKeys(f.values) {
			if text, ok := f.values[k].(string); ok {
				list.Add(parseOnly(f.name+"."+k, yamldoc.Join("", f.name, k), text))
			}
		}
	}
	if s.hasManifests {
		list.Add(parseOnly("manifests", "/manifests", s.manifests))
	}
	return list.Err()
}

func parseOnly(name, path, text string) error {
	_, err := template.New(name).Option("missingkey=error").Funcs(funcs(nil, name)).Parse(text)
	if err != nil {
		return templateError(path, err)
	}
	return nil
}

// render runs every template and assembles the result.
func (s *spec) render(rd *renderer) (*driver.Result, error) {
	outputs, err := rd.field(s.outputs)
	if err != nil {
		return nil, err
	}
	secrets, err := rd.field(s.secrets)
	if err != nil {
		return nil, err
	}
	res := &driver.Result{Outputs: outputs}
	for _, k := range yamldoc.SortedKeys(secrets) {
		if _, dup := outputs[k]; dup {
			return nil, input.Error("secrets", "renders %q, which outputs renders too", k)
		}
		outputs[k] = secrets[k]
	}
	if s.hasManifests {
		text, err := rd.execute("manifests", "/manifests", s.manifests)
		if err != nil {
			return nil, err
		}
		res.Manifests, err = decodeManifests(text)
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// field renders outputs or secrets.
func (rd *renderer) field(f field) (map[string]any, error) {
	out := map[string]any{}
	if f.isOne {
		text, err := rd.execute(f.name, "/"+f.name, f.one)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(text) == "" {
			return out, nil
		}
		doc, err := yamldoc.DecodeOne(f.name+" (rendered)", []byte(text))
		if err != nil {
			return nil, err
		}
		m, ok := doc.Value.(map[string]any)
		if !ok {
			return nil, input.Error(f.name, "renders YAML %s, want an object", yamldoc.TypeName(doc.Value))
		}
		return m, nil
	}
	for _, k := range yamldoc.SortedKeys(f.values) {
		text, ok := f.values[k].(string)
		if !ok {
			out[k] = f.values[k]
			continue
		}
		v, err := rd.execute(f.name+"."+k, yamldoc.Join("", f.name, k), text)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func decodeManifests(text string) ([]map[string]any, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	doc, err := yamldoc.DecodeOne("manifests (rendered)", []byte(text))
	if err != nil {
		return nil, err
	}
	list, ok := doc.Value.([]any)
	if !ok {
		return nil, input.Error("manifests", "renders YAML %s, want an array of objects", yamldoc.TypeName(doc.Value))
	}
	out := make([]map[string]any, 0, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, doc.Errorf(yamldoc.Join("", i), "must be an object, not %s", yamldoc.TypeName(item))
		}
		out = append(out, m)
	}
	return out, nil
}

// execute parses and runs one template, named name in its own errors and
// found at path (a JSON pointer under /inputs) in pave's. It honours the context: a
// template that runs on after it ends is abandoned.
func (rd *renderer) execute(name, path, text string) (string, error) {
	if err := rd.ctx.Err(); err != nil {
		return "", errs.Wrap(errs.Transient, err, "%v", err)
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs(rd, name)).Parse(text)
	if err != nil {
		return "", templateError(path, err)
	}
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var buf limitedBuffer
		err := t.Execute(&buf, rd.data)
		done <- result{buf.String(), err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", templateError(path, r.err)
		}
		return r.text, nil
	case <-rd.ctx.Done():
		return "", errs.Wrap(errs.Transient, rd.ctx.Err(), "template %s: %v", name, rd.ctx.Err())
	}
}

// templateError locates a template error at its input. text/template's
// messages already name the template and line ("template: outputs.host:1:
// ..."), and never quote the data, only the template text.
func templateError(path string, err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return e
	}
	msg := err.Error()
	if errors.Is(err, errTooLarge) {
		msg = errTooLarge.Error()
	}
	out := errs.Wrap(errs.Invalid, err, "%s", msg)
	out.Path = input.Root + path
	return out
}

// limitedBuffer fails writes past MaxOutput, which stops the template.
type limitedBuffer struct{ strings.Builder }

var errTooLarge = errors.New("renders more than 1 MiB")

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxOutput {
		return 0, errTooLarge
	}
	return b.Builder.Write(p)
}
