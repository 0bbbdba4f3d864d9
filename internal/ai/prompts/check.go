package prompts

import (
	"fmt"
	"slices"
	"strings"
	"text/template/parse"
)

// checkNodes accepts text and actions that print one allowed field, nothing else.
func checkNodes(nodes []parse.Node, allowed []string) error {
	for _, n := range nodes {
		switch n := n.(type) {
		case *parse.TextNode, *parse.CommentNode:
		case *parse.ActionNode:
			if err := checkAction(n, allowed); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s is not allowed: only a plain field (%s) is", keyword(n), list(allowed))
		}
	}
	return nil
}

func checkAction(a *parse.ActionNode, allowed []string) error {
	p := a.Pipe
	if len(p.Decl) == 0 && len(p.Cmds) == 1 && len(p.Cmds[0].Args) == 1 {
		if f, ok := p.Cmds[0].Args[0].(*parse.FieldNode); ok && len(f.Ident) == 1 {
			if slices.Contains(allowed, f.Ident[0]) {
				return nil
			}
			return fmt.Errorf("field .%s is not allowed: use %s", f.Ident[0], list(allowed))
		}
	}
	return fmt.Errorf("%s is not allowed: only a plain field (%s) is", a, list(allowed))
}

func keyword(n parse.Node) string {
	switch n.(type) {
	case *parse.IfNode:
		return "{{if}}"
	case *parse.RangeNode:
		return "{{range}}"
	case *parse.WithNode:
		return "{{with}}"
	case *parse.TemplateNode:
		return "{{template}}"
	case *parse.BreakNode:
		return "{{break}}"
	case *parse.ContinueNode:
		return "{{continue}}"
	}
	return "this action"
}

func list(allowed []string) string {
	out := make([]string, len(allowed))
	for i, f := range allowed {
		out[i] = "{{." + f + "}}"
	}
	return strings.Join(out, ", ")
}
