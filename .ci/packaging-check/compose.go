package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

// checkCompose loads files as one Compose project, the way `docker compose config` does (the
// schema check, interpolation from the process environment and the project's .env, consistency
// of service references, depends_on conditions and named volumes), and prints the result as YAML.
func checkCompose(files []string) error {
	options, err := cli.NewProjectOptions(files, cli.WithOsEnv, cli.WithDotEnv, cli.WithConsistency(true))
	if err != nil {
		return err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalYAML()
	if err != nil {
		return err
	}
	if _, err := os.Stdout.Write(out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "compose project %q: %d services valid\n", project.Name, len(project.Services))
	return nil
}
