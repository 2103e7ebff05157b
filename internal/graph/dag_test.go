package graph

import (
	"reflect"
	"testing"
)

func TestLevels(t *testing.T) {
	g := NewDAG()
	g.AddEdge("app", "db")
	g.AddEdge("app", "cache")
	g.AddEdge("db", "net")
	g.AddNode("lonely")
	levels, err := g.Levels()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"cache", "lonely", "net"}, {"db"}, {"app"}}
	if !reflect.DeepEqual(levels, want) {
		t.Errorf("levels = %v, want %v", levels, want)
	}
}

func TestCycleIsPrinted(t *testing.T) {
	g := NewDAG()
	g.AddEdge("a", "b")
	g.AddEdge("b", "c")
	g.AddEdge("c", "a")
	g.AddEdge("d", "a")
	_, err := g.Levels()
	if err == nil || err.Error() != "dependency cycle: a -> b -> c -> a" {
		t.Fatalf("err = %v", err)
	}
}

func TestSelfCycle(t *testing.T) {
	g := NewDAG()
	g.AddEdge("a", "a")
	_, err := g.Levels()
	if err == nil || err.Error() != "dependency cycle: a -> a" {
		t.Fatalf("err = %v", err)
	}
}
