package process

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Log lines are "<time> <container> <stream> <text>", time in UTC with a
// fixed width so that lines of several containers merge by sorting. The
// stream is "out", "err", or "pave" for the supervisor's own notes.
const logTimeFormat = "2006-01-02T15:04:05.000000Z"

// maxLogLine splits longer lines; a secret spanning the split is not
// redacted, which takes a line of 64 KiB to happen.
const maxLogLine = 64 << 10

// logFile is a container's size-capped log: when a write would take it past
// max bytes it is renamed to <path>.1 (replacing the older one) and a new
// file started, so a container never keeps more than 2*max bytes of logs.
type logFile struct {
	mu        sync.Mutex
	path      string
	container string
	max       int64
	redact    *redactor
	f         *os.File
	size      int64
}

func openLog(path, container string, max int64, r *redactor) (*logFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	l := &logFile{path: path, container: container, max: max, redact: r}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *logFile) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, st.Size()
	return nil
}

// line writes one line of stream, redacted.
func (l *logFile) line(stream string, text []byte) {
	text = bytes.TrimRight(text, "\r\n")
	var b bytes.Buffer
	b.WriteString(time.Now().UTC().Format(logTimeFormat))
	b.WriteByte(' ')
	b.WriteString(l.container)
	b.WriteByte(' ')
	b.WriteString(stream)
	b.WriteByte(' ')
	b.WriteString(l.redact.String(string(text)))
	b.WriteByte('\n')

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	if l.size > 0 && l.size+int64(b.Len()) > l.max {
		l.f.Close()
		l.f = nil
		if err := os.Rename(l.path, l.path+".1"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			os.Remove(l.path)
		}
		if err := l.open(); err != nil {
			return
		}
	}
	n, _ := l.f.Write(b.Bytes())
	l.size += int64(n)
}

// note writes a supervisor note.
func (l *logFile) note(text string) { l.line("pave", []byte(text)) }

// copyFrom writes every line read from r, until r ends.
func (l *logFile) copyFrom(stream string, r io.Reader) {
	br := bufio.NewReaderSize(r, maxLogLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			l.line(stream, line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

func (l *logFile) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// tailLog returns the last n lines of the log at path, reading the rotated
// file too when the current one has fewer.
func tailLog(path string, n int) ([]string, error) {
	lines, err := tailFile(path, n)
	if err != nil {
		return nil, err
	}
	if len(lines) < n {
		older, err := tailFile(path+".1", n-len(lines))
		if err != nil {
			return nil, err
		}
		lines = append(older, lines...)
	}
	return lines, nil
}

// tailFile reads the last n lines of a file backwards, in chunks, so that a
// large log costs what the tail costs. A missing file has no lines.
func tailFile(path string, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	const chunk = 32 << 10
	end := st.Size()
	var parts [][]byte // last part first
	newlines := 0
	for end > 0 && newlines <= n {
		start := max(end-chunk, 0)
		part := make([]byte, end-start)
		if _, err := f.ReadAt(part, start); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		newlines += bytes.Count(part, []byte{'\n'})
		parts = append(parts, part)
		end = start
	}
	slices.Reverse(parts)
	buf := bytes.Join(parts, nil)
	text := string(bytes.TrimRight(buf, "\n"))
	if text == "" {
		return nil, nil
	}
	lines := strings.Split(text, "\n")
	if end > 0 && len(lines) > 0 {
		lines = lines[1:] // the first one may be cut
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, nil
}
