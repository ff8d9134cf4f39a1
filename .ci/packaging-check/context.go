package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// filterContext copies the NUL-separated relative paths of in to out, leaving out those that do
// not exist (deleted but still in git's index) and those that ignoreFile excludes from a Docker
// build context. The rules are BuildKit's: patterns are relative to the context root, `**`
// matches any number of folders, `!` re-includes, and a path is excluded when it or a parent
// folder matches.
func filterContext(ignoreFile string, in io.Reader, out io.Writer) error {
	f, err := os.Open(ignoreFile)
	if err != nil {
		return err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return err
	}
	matcher, err := patternmatcher.New(patterns)
	if err != nil {
		return err
	}
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	scanner.Split(splitNul)
	w := bufio.NewWriter(out)
	for scanner.Scan() {
		path := scanner.Text()
		if _, err := os.Lstat(path); err != nil {
			continue
		}
		excluded, err := matcher.MatchesOrParentMatches(filepath.ToSlash(path))
		if err != nil {
			return err
		}
		if !excluded {
			w.WriteString(path)
			w.WriteByte(0)
		}
	}
	if err := scanner.Err(); err != nil {
		return err
	}
	return w.Flush()
}

// splitNul is a bufio.SplitFunc for NUL-terminated records.
func splitNul(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
