package platform

import (
	"fmt"
	"maps"
	"sync"
)

// The built-in resource types follow the outputs of Score's reference
// implementations (score-compose and score-k8s default provisioners), so that
// Score files written for them work unchanged. Outputs marked secret are
// credentials or carry them.

func out(typ OutputType, desc string) Output { return Output{Type: typ, Description: desc} }

func secret(desc string) Output { return Output{Type: OutputString, Secret: true, Description: desc} }

var (
	hostOut     = out(OutputString, "host name or address to connect to")
	portOut     = out(OutputInteger, "port to connect to")
	usernameOut = secret("user name to authenticate as")
	passwordOut = secret("password to authenticate with")
)

// builtinSpecs lists the built-in types. Params schemas are JSON Schema.
var builtinSpecs = []struct {
	name, desc string
	params     map[string]any
	outputs    map[string]Output
}{
	{"amqp", "a virtual host on an AMQP 0-9-1 broker such as RabbitMQ", nil, map[string]Output{
		"host": hostOut, "port": portOut,
		"vhost":    out(OutputString, "virtual host"),
		"username": usernameOut, "password": passwordOut,
	}},
	{"dns", "a host name that routes to the workload", nil, map[string]Output{
		"host": out(OutputString, "the fully qualified host name"),
	}},
	{"elasticsearch", "an Elasticsearch cluster or index space", nil, map[string]Output{
		"host": hostOut, "port": portOut, "username": usernameOut, "password": passwordOut,
	}},
	{"kafka-topic", "a topic on a Kafka cluster", nil, map[string]Output{
		"host": out(OutputString, "bootstrap broker host"), "port": out(OutputInteger, "bootstrap broker port"),
		"name":           out(OutputString, "topic name"),
		"num_partitions": out(OutputInteger, "number of partitions of the topic"),
	}},
	{"mongodb", "a MongoDB database", nil, map[string]Output{
		"host": hostOut, "port": portOut, "username": usernameOut, "password": passwordOut,
		"connection": secret("connection string, credentials included"),
	}},
	{"mysql", "a MySQL or MariaDB database with its own user", nil, map[string]Output{
		"host": hostOut, "port": portOut,
		"name":     out(OutputString, "database name"),
		"database": out(OutputString, "database name (same as name, for compatibility)"),
		"username": usernameOut, "password": passwordOut,
	}},
	{"postgres", "a PostgreSQL database with its own user", nil, map[string]Output{
		"host": hostOut, "port": portOut,
		"name":     out(OutputString, "database name"),
		"database": out(OutputString, "database name (same as name, for compatibility)"),
		"username": usernameOut, "password": passwordOut,
	}},
	{"redis", "a Redis database or user", nil, map[string]Output{
		"host": hostOut, "port": portOut, "username": usernameOut, "password": passwordOut,
		"prefix": out(OutputString, "key prefix the user may use (empty for the whole keyspace)"),
	}},
	{"route", "an HTTP route from a host and path prefix to a port of the workload", map[string]any{
		"type":     "object",
		"required": []any{"host", "path", "port"},
		"properties": map[string]any{
			"host": map[string]any{"type": "string", "minLength": int64(1)},
			"path": map[string]any{"type": "string", "pattern": "^/"},
			"port": map[string]any{"type": []any{"integer", "string"}},
		},
		"additionalProperties": false,
	}, map[string]Output{}},
	{"s3", "an S3-compatible bucket with credentials", nil, map[string]Output{
		"bucket":        out(OutputString, "bucket name"),
		"endpoint":      out(OutputString, "S3 API endpoint URL"),
		"region":        out(OutputString, "region (may be empty)"),
		"access_key_id": secret("access key id"),
		"secret_key":    secret("secret access key"),
	}},
	{"service-port", "the host name and port of another workload's service port", map[string]any{
		"type":     "object",
		"required": []any{"workload", "port"},
		"properties": map[string]any{
			"workload": map[string]any{"type": "string", "minLength": int64(1)},
			"port":     map[string]any{"type": []any{"integer", "string"}},
		},
		"additionalProperties": false,
	}, map[string]Output{
		"hostname": out(OutputString, "host name of the workload's service"),
		"port":     out(OutputInteger, "the service port"),
	}},
	{"volume", "a volume to mount into containers", nil, map[string]Output{
		"source": out(OutputString, "the volume's name or path, as the target understands it"),
	}},
}

// BuiltinTypes returns the built-in resource types by name, in a new map. The
// types themselves are shared and must not be modified.
func BuiltinTypes() map[string]*ResourceType { return maps.Clone(builtinTypes()) }

var builtinTypes = sync.OnceValue(func() map[string]*ResourceType {
	types := make(map[string]*ResourceType, len(builtinSpecs))
	for _, s := range builtinSpecs {
		t := &ResourceType{Name: s.name, Description: s.desc, Params: s.params, Outputs: s.outputs, BuiltIn: true}
		if s.params != nil {
			schema, probs := compileParamsSchema(s.name, s.params)
			if len(probs) > 0 {
				panic(fmt.Sprintf("built-in type %s: %v", s.name, probs))
			}
			t.schema = schema
		}
		types[s.name] = t
	}
	return types
})
