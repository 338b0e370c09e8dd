// composecheck loads a Compose file with the Compose specification's own loader
// (github.com/compose-spec/compose-go/v2): schema validation, interpolation,
// normalization and the consistency checks (depends_on, networks, volumes, secrets
// and configs must name things that exist). On success it prints the normalized
// project as JSON on stdout for tests/deploy to inspect; on failure it prints the
// loader's error on stderr and exits 1.
//
// Usage: composecheck path/to/docker-compose.yml
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck docker-compose.yml")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithName("rentezy"),
		// Only the file's own values: no .env, no variables of the calling shell.
		cli.WithEnv([]string{}),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
	os.Stdout.WriteString("\n")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compose:", err)
	os.Exit(1)
}
