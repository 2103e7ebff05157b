package platform

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// Params schemas are JSON Schema (draft 2020-12 unless the schema names
// another draft with $schema). They are self-contained: a $ref may point only
// inside the schema itself, never to a file or URL, so compiling one does no
// I/O.

var printer = message.NewPrinter(language.English)

// noLoader refuses every external schema, keeping compilation free of I/O.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external schema references are not allowed")
}

// schemaProblem is one problem found in a schema or an instance, located by a
// JSON pointer relative to the schema or instance.
type schemaProblem struct {
	pointer string
	message string
}

// compileParamsSchema compiles the params schema of the type called name.
func compileParamsSchema(name string, schema any) (*jsonschema.Schema, []schemaProblem) {
	if _, ok := schema.(map[string]any); !ok {
		return nil, []schemaProblem{{"", "must be a JSON Schema object, not " + yamldoc.TypeName(schema)}}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	url := "urn:pave:type:" + name + ":params"
	if err := c.AddResource(url, schema); err != nil {
		return nil, []schemaProblem{{"", "invalid JSON Schema: " + err.Error()}}
	}
	compiled, err := c.Compile(url)
	if err == nil {
		return compiled, nil
	}
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			probs := validationProblems(ve)
			for i := range probs {
				probs[i].message = "invalid JSON Schema: " + probs[i].message
			}
			return nil, probs
		}
	}
	return nil, []schemaProblem{{"", "invalid JSON Schema: " + strings.ReplaceAll(err.Error(), url, "params")}}
}

// validationProblems flattens a validation error into its leaves, sorted and
// without duplicates.
func validationProblems(ve *jsonschema.ValidationError) []schemaProblem {
	var out []schemaProblem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			ptr := ""
			for _, tok := range e.InstanceLocation {
				ptr = yamldoc.Join(ptr, tok)
			}
			out = append(out, schemaProblem{ptr, e.ErrorKind.LocalizedString(printer)})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.SortFunc(out, func(a, b schemaProblem) int {
		if c := strings.Compare(a.pointer, b.pointer); c != 0 {
			return c
		}
		return strings.Compare(a.message, b.message)
	})
	return slices.Compact(out)
}

// validateAgainst validates v against schema; problems are located relative
// to v.
func validateAgainst(schema *jsonschema.Schema, v any) []schemaProblem {
	err := schema.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return validationProblems(ve)
	}
	return []schemaProblem{{"", err.Error()}}
}

// problemsError turns problems into an errs.List with paths relative to the
// validated value ("/" for the value itself).
func problemsError(probs []schemaProblem) error {
	var l errs.List
	for _, p := range probs {
		path := p.pointer
		if path == "" {
			path = "/"
		}
		l = append(l, &errs.Error{Code: errs.Invalid, Path: path, Message: p.message})
	}
	return l.Err()
}
