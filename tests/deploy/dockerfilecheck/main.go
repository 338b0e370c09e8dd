// dockerfilecheck lints a Dockerfile offline with BuildKit's own front end
// (github.com/moby/buildkit/frontend/dockerfile): the parser, the instruction parser
// and every build check `docker build --check` runs (all rules, experimental included),
// evaluated for the given build arguments and every stage. It then checks the build
// context: every local COPY/ADD source exists and is not excluded by .dockerignore
// (BuildKit's pattern matcher).
//
// The only thing it cannot see offline is a base image's configuration; it is
// replaced by an empty one (PATH only), so the checks that read a base image's
// environment see no variables from it.
//
// Prints a JSON report on stdout; exits 1 if there is any warning, error or missing
// source.
//
// Usage: dockerfilecheck [--build-arg NAME=VALUE]... path/to/Dockerfile
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/opencontainers/go-digest"
)

type buildArgs map[string]string

func (b buildArgs) String() string { return fmt.Sprint(map[string]string(b)) }
func (b buildArgs) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok {
		return errors.New("expected NAME=VALUE")
	}
	b[name] = value
	return nil
}

// offlineResolver answers every base image with an empty linux/amd64 configuration.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	config := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers"},` +
		`"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}`)
	return ref, digest.FromBytes(config), config, nil
}

type copySource struct {
	Stage       string `json:"stage"`
	Instruction string `json:"instruction"`
	Line        int    `json:"line"`
	Source      string `json:"source"`
	Problem     string `json:"problem,omitempty"`
}

type stage struct {
	Name         string   `json:"name"`
	Base         string   `json:"base"`
	Instructions []string `json:"instructions"` // each instruction as written (lower-case name first)
	User         string   `json:"user"`
}

type report struct {
	BuildArgs map[string]string `json:"build_args"`
	Stages    []stage           `json:"stages"`
	Warnings  []string          `json:"warnings"`
	Error     string            `json:"error,omitempty"`
	Sources   []copySource      `json:"sources"`
	OK        bool              `json:"ok"`
}

func main() {
	args := buildArgs{}
	flag.Var(args, "build-arg", "NAME=VALUE (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: dockerfilecheck [--build-arg NAME=VALUE]... Dockerfile")
		os.Exit(2)
	}
	path := flag.Arg(0)
	dt, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	contextDir := filepath.Dir(path)
	rep := report{BuildArgs: args, Warnings: []string{}, Sources: []copySource{}}

	// 1. BuildKit's build checks over all stages.
	lintConfig, err := lintOptions(dt)
	if err != nil {
		fail(err)
	}
	results, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{BuildArgs: args, LinterConfig: lintConfig},
		MetaResolver: offlineResolver{},
		SourceMap:    &llb.SourceMap{Filename: path, Language: "Dockerfile", Data: dt, Definition: &llb.Definition{}},
	})
	if err != nil {
		fail(err)
	}
	for _, w := range results.Warnings {
		line := 0
		if len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s:%d: %s: %s", path, line, w.RuleName, w.Detail))
	}
	if results.Error != nil {
		rep.Error = results.Error.Message
	}

	// 2. Stages and their COPY/ADD sources, with the build arguments expanded.
	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		fail(err)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		fail(err)
	}
	env := map[string]string{}
	for _, meta := range metaArgs {
		for _, kv := range meta.Args {
			if kv.Value != nil {
				env[kv.Key] = *kv.Value
			}
		}
	}
	for k, v := range args {
		env[k] = v
	}
	ignore, err := dockerignore(filepath.Join(contextDir, ".dockerignore"))
	if err != nil {
		fail(err)
	}
	lex := shell.NewLex('\\')
	stageNames := map[string]bool{}
	for _, st := range stages {
		s := stage{Name: st.Name, Base: st.BaseName, Instructions: []string{}}
		stageEnv := map[string]string{}
		for k, v := range env {
			stageEnv[k] = v
		}
		for _, cmd := range st.Commands {
			s.Instructions = append(s.Instructions, fmt.Sprint(cmd))
			var sources []string
			var from string
			switch c := cmd.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					if _, given := args[kv.Key]; !given && kv.Value != nil {
						stageEnv[kv.Key] = *kv.Value
					}
				}
			case *instructions.UserCommand:
				s.User = c.User
			case *instructions.CopyCommand:
				sources, from = c.SourcePaths, c.From
			case *instructions.AddCommand:
				sources = c.SourcePaths
			}
			if from != "" {
				continue // another stage's files (or an image's)
			}
			for _, src := range sources {
				expanded, err := lex.ProcessWordWithMatches(src, shell.EnvsFromSlice(envSlice(stageEnv)))
				word := expanded.Result
				entry := copySource{Stage: st.Name, Instruction: cmd.Name(), Line: cmd.Location()[0].Start.Line, Source: word}
				switch {
				case err != nil:
					entry.Problem = "cannot expand: " + err.Error()
				case strings.Contains(word, "://"):
					entry.Problem = "remote source (not allowed: the build must use the checkout)"
				default:
					entry.Problem = checkSource(contextDir, word, ignore)
				}
				rep.Sources = append(rep.Sources, entry)
			}
		}
		stageNames[st.Name] = true
		rep.Stages = append(rep.Stages, s)
	}

	rep.OK = len(rep.Warnings) == 0 && rep.Error == ""
	for _, src := range rep.Sources {
		if src.Problem != "" {
			rep.OK = false
		}
	}
	out, _ := json.MarshalIndent(rep, "", "  ")
	os.Stdout.Write(append(out, '\n'))
	if !rep.OK {
		os.Exit(1)
	}
}

// lintOptions: every rule, experimental ones included, on top of the file's own
// `# check=` directive (whose skips are honoured, so a skip is visible in the file).
func lintOptions(dt []byte) (*linter.Config, error) {
	directive, _, _, _ := parser.ParseDirective("check", dt)
	config, err := linter.ParseLintOptions(directive)
	if err != nil {
		return nil, err
	}
	config.ExperimentalAll = true
	return config, nil
}

func dockerignore(path string) (*patternmatcher.PatternMatcher, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return patternmatcher.New(nil)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return patternmatcher.New(patterns)
}

// checkSource: the source (a path or glob relative to the context) must match at
// least one file that .dockerignore does not exclude.
func checkSource(contextDir, src string, ignore *patternmatcher.PatternMatcher) string {
	rel := filepath.Clean(strings.TrimPrefix(src, "/"))
	if strings.HasPrefix(rel, "..") {
		return "outside the build context"
	}
	matches, err := filepath.Glob(filepath.Join(contextDir, rel))
	if err != nil {
		return "bad pattern: " + err.Error()
	}
	if len(matches) == 0 {
		return "does not exist"
	}
	for _, m := range matches {
		r, _ := filepath.Rel(contextDir, m)
		excluded, err := ignore.MatchesOrParentMatches(filepath.ToSlash(r))
		if err != nil {
			return err.Error()
		}
		if !excluded {
			return ""
		}
	}
	return "excluded by .dockerignore"
}

func envSlice(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "dockerfilecheck:", err)
	os.Exit(2)
}
