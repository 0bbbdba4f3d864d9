package ai

import (
	"slices"
	"strings"
)

func contains(list []string, v string) bool { return slices.Contains(list, v) }

func join(list []string) string { return strings.Join(list, ", ") }
