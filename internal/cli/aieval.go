package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/ai/evaluate"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
	"github.com/maintainuk/maintainuk/internal/config"
)

const aiEvalUsage = `Usage: maintainuk ai-eval FILE.jsonl [--provider builtin|openai|anthropic|ollama]

Classifies every labelled report in FILE (JSON Lines: id, title, description, category,
priority) and prints category accuracy, priority accuracy, EMERGENCY recall and precision,
a confusion matrix for each, and the reports it got wrong. The provider defaults to
builtin; an external one is configured as the server's is (AI_*, OPENAI_API_KEY, …), with
its retries and its fallback to builtin, which the last line counts.
`

// aiEval measures a classifier on a labelled file. It needs no database.
func aiEval(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("ai-eval", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, aiEvalUsage) }
	provider := fs.String("provider", "builtin", "builtin, openai, anthropic or ollama")
	// The file may come before or after the flags.
	var file string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 || file == "" {
		fs.Usage()
		return exitCode(2)
	}
	if !slices.Contains(ai.Providers, *provider) {
		return fmt.Errorf("--provider must be one of builtin, openai, anthropic, ollama, not %q", *provider)
	}
	f, err := os.Open(file) // #nosec G304 -- the evaluation file the operator names on the command line
	if err != nil {
		return err
	}
	defer f.Close()
	cases, err := evaluate.Load(f)
	if err != nil {
		return err
	}
	getenv := config.DevelopmentDefaults(env.Getenv) // no database or secret is needed here
	cfg, err := config.Load(func(k string) string {
		if k == "AI_PROVIDER" {
			return *provider
		}
		return getenv(k)
	})
	if err != nil {
		return err
	}
	engine, err := ai.EngineFromConfig(cfg.AI)
	if err != nil {
		return err
	}
	var fallbacks, tokens int
	res, err := evaluate.Run(ctx, cases, func(ctx context.Context, in schema.ClassifyInput) (schema.Classification, error) {
		c, err := engine.Classify(ctx, *provider, in)
		if c.Fallback {
			fallbacks++
		}
		tokens += c.TokensIn + c.TokensOut
		return c.Classification, err
	})
	if err != nil {
		return err
	}
	evaluate.Report(env.Stdout, res)
	if *provider != "builtin" {
		fmt.Fprintf(env.Stdout, "provider %s: %d of %d answered by builtin after a fallback, %d tokens\n", *provider, fallbacks, len(cases), tokens)
	}
	if res.Cases == 0 {
		return errors.New("the file holds no reports")
	}
	return nil
}
