package api

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// openapiYAML is the API's OpenAPI 3.1 document.
//
//go:embed openapi.yaml
var openapiYAML []byte

var openapiDoc = sync.OnceValues(func() ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(openapiYAML, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
})

// OpenAPI returns the API's OpenAPI document as JSON.
func OpenAPI() ([]byte, error) { return openapiDoc() }

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ service.Actor) error {
	b, err := OpenAPI()
	if err != nil {
		return errs.Wrap(errs.Internal, err, "the OpenAPI document cannot be read")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
	return nil
}
