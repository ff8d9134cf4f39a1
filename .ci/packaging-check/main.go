// Command packaging-check gives .ci/check-packaging.sh the two pieces of Docker's own behaviour
// it needs without a Docker daemon or `docker compose`:
//
//	packaging-check compose FILE...   loads the compose files as `docker compose config` does
//	                                  (compose-go: the Compose Specification's schema, interpolation
//	                                  from the environment and .env, references between services),
//	                                  prints the resolved model, and exits 1 on any error.
//	packaging-check context IGNOREFILE
//	                                  reads NUL-separated paths (git ls-files -z) on stdin and prints,
//	                                  NUL-separated, those that exist and that the .dockerignore file
//	                                  does not exclude from the build context (moby/patternmatcher,
//	                                  the matcher BuildKit uses).
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: packaging-check compose FILE... | packaging-check context IGNOREFILE < paths")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "compose":
		err = checkCompose(os.Args[2:])
	case "context":
		err = filterContext(os.Args[2], os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "packaging-check:", err)
		os.Exit(1)
	}
}
