package blog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pavedev/pave/internal/testenv"
)

// TestBlog runs both modes of the blog on a database created for the test:
// a post written through the API shows in the feed.
func TestBlog(t *testing.T) {
	testenv.RequirePostgres(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testenv.PostgresURL)
	if err != nil {
		t.Skipf("PostgreSQL refuses the connection: %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	dbName := "blog_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+dbName); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)")

	bin := filepath.Join(t.TempDir(), "blog")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/blog").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	pc := admin.Config()
	env := []string{"DB_HOST=" + pc.Host, "DB_PORT=" + strconv.Itoa(int(pc.Port)), "DB_NAME=" + dbName,
		"DB_USER=" + pc.User, "DB_PASSWORD=" + pc.Password, "BLOG_TITLE=test blog"}
	bases := map[string]string{}
	for _, mode := range []string{"serve", "feed"} {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		cmd := exec.Command(bin, mode)
		cmd.Env = append(env, "PORT="+port)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		bases[mode] = "http://127.0.0.1:" + port
		waitOK(t, bases[mode]+"/healthz")
	}

	resp, err := http.Post(bases["serve"]+"/posts", "application/json", strings.NewReader(`{"title": "Hello", "body": "from pave"}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /posts: %v %v", resp, err)
	}
	resp.Body.Close()
	var list struct {
		Title string `json:"title"`
		Posts []struct {
			Title string `json:"title"`
		} `json:"posts"`
	}
	resp, _ = http.Get(bases["serve"] + "/posts")
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if list.Title != "test blog" || len(list.Posts) != 1 || list.Posts[0].Title != "Hello" {
		t.Errorf("GET /posts = %+v", list)
	}
	resp, _ = http.Get(bases["feed"] + "/feed.xml")
	feed, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(feed), "<title>Hello</title>") || !strings.Contains(string(feed), "<description>from pave</description>") {
		t.Errorf("feed:\n%s", feed)
	}
}

func waitOK(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered 200: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
