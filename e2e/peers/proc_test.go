package peers

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// peerLog keeps the lines a peer wrote, to print when a test fails.
type peerLog struct {
	name    string
	mu      sync.Mutex
	lines   []string
	partial string
}

func newPeerLog(name string) *peerLog {
	return &peerLog{name: name}
}

// add appends one line.
func (l *peerLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimRight(line, "\r\n"))
}

// Write lets a peerLog be an io.Writer (the plugin host's log output).
func (l *peerLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	text := l.partial + string(p)
	parts := strings.Split(text, "\n")
	l.partial = parts[len(parts)-1]
	l.mu.Unlock()
	for _, line := range parts[:len(parts)-1] {
		l.add(line)
	}
	return len(p), nil
}

func (l *peerLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(append(l.lines, l.partial), "\n")
}

// dumpOnFailure prints the logs when the test has failed. Register it
// before the peers start: cleanups run last-in first-out, so the logs are
// printed after the peers stopped and wrote their last lines.
func dumpOnFailure(t *testing.T, logs ...*peerLog) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, l := range logs {
			t.Logf("---- %s log ----\n%s\n---- end of %s log ----", l.name, l.String(), l.name)
		}
	})
}

// process is a peer program the test started.
type process struct {
	name string
	cmd  *exec.Cmd
	log  *peerLog
	done chan struct{}
	err  error
}

// startProcess runs a program in its own process group with stdout lines
// passed to onStdout (and logged) and stderr lines logged. The test's
// cleanup stops it.
func startProcess(t *testing.T, name string, log *peerLog, dir string, env []string, stdin io.Reader, onStdout func(string), argv ...string) *process {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			log.add(sc.Text())
			if onStdout != nil {
				onStdout(sc.Text())
			}
		}
	}()
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			log.add("stderr: " + sc.Text())
		}
	}()
	go func() {
		readers.Wait() // Wait closes the pipes: read them to the end first
		p.err = cmd.Wait()
		log.add(fmt.Sprintf("[%s exited: %v]", name, p.err))
		close(p.done)
	}()
	t.Cleanup(p.stop)
	return p
}

// stop asks the process group to terminate and kills it after a grace
// period. It is idempotent.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
