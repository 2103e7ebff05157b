// Package graph turns workloads and a platform into a resource graph and a
// deterministic, content-hashed plan. It is pure: it reads nothing and runs
// nothing.
package graph

import (
	"slices"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// DAG is a directed graph of node ids where an edge a→b means a depends on b
// (b must exist before a).
type DAG struct {
	deps map[string]map[string]bool
}

// NewDAG returns an empty graph.
func NewDAG() *DAG { return &DAG{deps: map[string]map[string]bool{}} }

// AddNode adds id with no dependencies if it is not there yet.
func (g *DAG) AddNode(id string) {
	if _, ok := g.deps[id]; !ok {
		g.deps[id] = map[string]bool{}
	}
}

// AddEdge records that from depends on to; both become nodes.
func (g *DAG) AddEdge(from, to string) {
	g.AddNode(from)
	g.AddNode(to)
	g.deps[from][to] = true
}

// Has reports whether id is a node.
func (g *DAG) Has(id string) bool { _, ok := g.deps[id]; return ok }

// DependsOn returns the direct dependencies of id, sorted.
func (g *DAG) DependsOn(id string) []string {
	out := make([]string, 0, len(g.deps[id]))
	for d := range g.deps[id] {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// Levels returns the nodes in dependency order grouped into levels: every
// node's dependencies are in earlier levels, so a level's nodes may run in
// parallel. Nodes within a level are sorted. A cycle is an Invalid error that
// prints it, "a -> b -> a".
func (g *DAG) Levels() ([][]string, error) {
	indegree := make(map[string]int, len(g.deps))
	dependents := make(map[string][]string, len(g.deps))
	for n, ds := range g.deps {
		indegree[n] = len(ds)
		for d := range ds {
			dependents[d] = append(dependents[d], n)
		}
	}
	var level []string
	for n, c := range indegree {
		if c == 0 {
			level = append(level, n)
		}
	}
	var levels [][]string
	done := 0
	for len(level) > 0 {
		slices.Sort(level)
		levels = append(levels, level)
		done += len(level)
		var next []string
		for _, n := range level {
			for _, m := range dependents[n] {
				indegree[m]--
				if indegree[m] == 0 {
					next = append(next, m)
				}
			}
		}
		level = next
	}
	if done != len(g.deps) {
		return nil, errs.New(errs.Invalid, "dependency cycle: %s", strings.Join(g.cycle(), " -> "))
	}
	return levels, nil
}

// Order is Levels flattened.
func (g *DAG) Order() ([]string, error) {
	levels, err := g.Levels()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range levels {
		out = append(out, l...)
	}
	return out, nil
}

// cycle finds one cycle, deterministically: depth-first from the smallest
// node, following sorted edges.
func (g *DAG) cycle() []string {
	const (
		white = iota
		grey
		black
	)
	color := make(map[string]int, len(g.deps))
	var stack []string
	var found []string
	var visit func(n string) bool
	visit = func(n string) bool {
		color[n] = grey
		stack = append(stack, n)
		for _, d := range g.DependsOn(n) {
			switch color[d] {
			case grey:
				i := slices.Index(stack, d)
				found = append(slices.Clone(stack[i:]), d)
				return true
			case white:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return false
	}
	nodes := make([]string, 0, len(g.deps))
	for n := range g.deps {
		nodes = append(nodes, n)
	}
	slices.Sort(nodes)
	for _, n := range nodes {
		if color[n] == white && visit(n) {
			return found
		}
	}
	return nil
}
