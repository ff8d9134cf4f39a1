// Package testserver starts the real Posthorn server (TypeScript, embedded PostgreSQL) for
// the Go SDK's integration tests, the way an operator starts it:
// `npx tsx server/src/cli/main.ts serve` from the repository root, configured by env.
package testserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// AdminKey is the admin API key the server starts with (POSTHORN_BOOTSTRAP_ADMIN_KEY), the
// TypeScript tests' TEST_ADMIN_KEY: clients call with posthorn.WithAPIKey(AdminKey).
const AdminKey = "phk_testadminkeytestadminkeytestadminkey0000000"

// StartupTimeout bounds how long the server may take to print its "listening" line.
const StartupTimeout = 90 * time.Second

// RepoRoot walks up from the working directory to the folder holding buf.gen.yaml.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "buf.gen.yaml")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no buf.gen.yaml above the working directory: run the tests inside the Posthorn repository")
		}
		dir = parent
	}
}

// Start runs the server on 127.0.0.1 with a free port and a fresh embedded data folder,
// allowing loopback receivers, and returns its address. DATABASE_URL is removed from the
// child's environment so it always uses the embedded database. The server gets SIGTERM
// when the test ends. The test is skipped when the repository has no server yet. env adds
// or overrides variables (NAME=value), e.g. the TLS files.
func Start(t testing.TB, env ...string) string {
	t.Helper()
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "server", "src", "cli", "main.ts")); err != nil {
		t.Skip("server/src/cli/main.ts does not exist yet")
	}
	tsx := filepath.Join(root, "node_modules", ".bin", "tsx")
	if _, err := os.Stat(tsx); err != nil {
		t.Fatalf("%s is missing: run npm ci at the repository root", tsx)
	}

	cmd := exec.Command(tsx, "server/src/cli/main.ts", "serve")
	cmd.Dir = root
	cmd.Env = append(withoutDatabaseURL(os.Environ()),
		"POSTHORN_LISTEN_ADDRESS=127.0.0.1:0",
		"POSTHORN_DATA_DIR="+t.TempDir(),
		"POSTHORN_ALLOWED_CIDRS=127.0.0.1/32",
		"POSTHORN_LOG_LEVEL=info",
		"POSTHORN_METRICS_ADDRESS=off",
		"POSTHORN_HTTP_ADDRESS=127.0.0.1:0",
		"POSTHORN_BOOTSTRAP_ADMIN_KEY="+AdminKey,
	)
	cmd.Env = append(cmd.Env, env...)
	// Own process group: tsx runs node as a child, and SIGTERM must reach both.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// A file, not a pipe: Wait then returns when the server exits, even if a helper process
	// it started (esbuild's service) still holds the descriptor for a moment.
	stderr, err := os.CreateTemp(t.TempDir(), "server-stderr-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { stop(t, cmd, exited, stderr) })

	address := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			var line struct {
				Msg     string `json:"msg"`
				Address string `json:"address"`
			}
			if json.Unmarshal(scanner.Bytes(), &line) == nil && line.Msg == "listening" && line.Address != "" {
				address <- line.Address
			}
		}
	}()
	select {
	case addr := <-address:
		return addr
	case err := <-exited:
		exited <- err
		t.Fatalf("the server exited before listening (%v); stderr:\n%s", err, readAll(stderr))
	case <-time.After(StartupTimeout):
		t.Fatalf("the server did not print a listening line within %s; stderr:\n%s", StartupTimeout, readAll(stderr))
	}
	return ""
}

func stop(t testing.TB, cmd *exec.Cmd, exited chan error, stderr *os.File) {
	started := time.Now()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-exited:
		// Killed by the signal, or exited with 128+15 as tsx does when it relays SIGTERM.
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && (!exit.Exited() || exit.ExitCode() == 143)) {
			t.Logf("server exit after SIGTERM: %v; stderr:\n%s", err, readAll(stderr))
		}
		t.Logf("server stopped %s after SIGTERM", time.Since(started).Round(time.Millisecond))
	case <-time.After(15 * time.Second):
		t.Errorf("the server did not stop within 15 s of SIGTERM; killing it; stderr:\n%s", readAll(stderr))
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}

func withoutDatabaseURL(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "DATABASE_URL=") {
			out = append(out, kv)
		}
	}
	return out
}

func readAll(f *os.File) string {
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return "(stderr unreadable: " + err.Error() + ")"
	}
	return string(b)
}
