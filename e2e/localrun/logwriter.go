package localrun

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

// logWriter receives the host's log lines ("vm1 ctx2 [info] …", one per
// Write), passes those at or above a level to out, and keeps the last
// error lines so a failed start can say why. It is safe for concurrent use:
// the loop and the dispatch goroutines both write.
type logWriter struct {
	mu     sync.Mutex
	out    io.Writer
	min    host.LogLevel
	errors []string
}

const keptErrorLines = 5

func newLogWriter(out io.Writer, min host.LogLevel) *logWriter {
	if out == nil {
		out = io.Discard
	}
	return &logWriter{out: out, min: min}
}

// Write implements io.Writer for host.Options.LogOutput.
func (w *logWriter) Write(p []byte) (int, error) {
	line := string(p)
	level, isPlugin := lineLevel(line)
	w.mu.Lock()
	defer w.mu.Unlock()
	if isPlugin && level >= host.LogError {
		w.errors = append(w.errors, strings.TrimSpace(line))
		if len(w.errors) > keptErrorLines {
			w.errors = w.errors[1:]
		}
	}
	if level >= w.min {
		_, _ = io.WriteString(w.out, line)
	}
	return len(p), nil
}

// logf writes one line of the server's own (not the plugin's) at a level.
func (w *logWriter) logf(level host.LogLevel, format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if level >= w.min {
		fmt.Fprintf(w.out, "localrun [%s] %s\n", level, fmt.Sprintf(format, args...))
	}
}

// lastErrors returns the plugin's last error or critical lines.
func (w *logWriter) lastErrors() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.errors...)
}

// lineLevel reads the level of a plugin line, "vm1 ctx2 [info] message";
// host diagnostics ("vm0 host: …") count as trace, as Envoy logs them.
func lineLevel(line string) (host.LogLevel, bool) {
	fields := strings.SplitN(line, " ", 4)
	if len(fields) < 3 || !strings.HasPrefix(fields[0], "vm") || !strings.HasPrefix(fields[1], "ctx") {
		return host.LogTrace, false
	}
	name, ok := strings.CutPrefix(fields[2], "[")
	if name, ok2 := strings.CutSuffix(name, "]"); ok && ok2 {
		if l, err := ParseLogLevel(name); err == nil {
			return l, true
		}
	}
	return host.LogTrace, false
}

// ParseLogLevel reads a level name: trace, debug, info, warn, error, critical.
func ParseLogLevel(name string) (host.LogLevel, error) {
	for _, l := range []host.LogLevel{host.LogTrace, host.LogDebug, host.LogInfo, host.LogWarn, host.LogError, host.LogCritical} {
		if strings.EqualFold(name, l.String()) {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown log level %q (use trace, debug, info, warn, error or critical)", name)
}
