package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// yamlMap is a YAML mapping; keys are written sorted.
type yamlMap map[string]any

// Overlay renders r as an OpenAPI Overlay 1.0 document (YAML) that, applied to openapi.yaml,
// describes what was found: each property as an optional property of the schema that lacks it,
// with the type seen (its members and items too), each header and media type on its response,
// each status as a response of its operation. It holds no value of any answer. It returns nil
// when r found nothing (an overlay needs at least one action).
func (r Report) Overlay() []byte {
	updates := map[string]yamlMap{} // target (a JSON pointer into the spec) → update
	update := func(in string) yamlMap {
		if updates[in] == nil {
			updates[in] = yamlMap{}
		}
		return updates[in]
	}
	child := func(m yamlMap, key string) yamlMap {
		c, _ := m[key].(yamlMap)
		if c == nil {
			c = yamlMap{}
			m[key] = c
		}
		return c
	}
	for _, f := range r.Findings {
		if f.In == "" {
			continue // described with the finding it sits in
		}
		switch f.Kind {
		case KindProperty:
			s := propertySchema(r.Findings, f, f.Name)
			s["description"] = discovered(f)
			props := child(update(f.In), "properties")
			name := unescapePointer(f.Name[strings.LastIndexByte(f.Name, '/')+1:])
			props[name] = mergeYAML(props[name], s)
		case KindHeader:
			child(update(f.In), "headers")[f.Name] = yamlMap{"description": discovered(f), "schema": typeSchema(f.Types)}
		case KindContentType:
			child(update(f.In), "content")[f.Name] = yamlMap{"schema": typeSchema(f.Types)}
		case KindStatus:
			resp := yamlMap{"description": discovered(f)}
			if f.ContentType != "" {
				resp["content"] = yamlMap{f.ContentType: yamlMap{"schema": typeSchema(f.Types)}}
			}
			for _, h := range r.Findings {
				if h.Kind == KindHeader && h.In == "" && h.OperationID == f.OperationID && h.Status == f.Status {
					child(resp, "headers")[h.Name] = yamlMap{"description": discovered(h), "schema": typeSchema(h.Types)}
				}
			}
			update(f.In)[f.Status] = resp
		}
	}
	if len(updates) == 0 {
		return nil
	}
	targets := make([]string, 0, len(updates))
	for t := range updates {
		targets = append(targets, t)
	}
	slices.Sort(targets)
	var b bytes.Buffer
	b.WriteString("# What the contract suite's drift discovery found that openapi.yaml does not describe.\n")
	b.WriteString("# Types and counts only, never a value. Apply it with any OpenAPI Overlay 1.0 tool, then review.\n")
	b.WriteString("overlay: 1.0.0\ninfo:\n  title: Drift found by the contract suite\n  version: 1.0.0\nactions:\n")
	for _, t := range targets {
		fmt.Fprintf(&b, "  - target: %s\n    update:\n", yamlScalar(jsonPath(t)))
		writeYAML(&b, updates[t], 6)
	}
	return b.Bytes()
}

// discovered is the description of an added element.
func discovered(f Finding) string {
	return fmt.Sprintf("Undocumented: found by the contract suite's drift discovery in %d answer(s) of %s %s. Describe it.",
		f.Count, f.OperationID, f.Status)
}

// propertySchema is the schema of the property at ptr, with the members and items found under it.
func propertySchema(all []Finding, root Finding, ptr string) yamlMap {
	var at *Finding
	for i := range all {
		f := &all[i]
		if f.Kind == KindProperty && f.OperationID == root.OperationID && f.Status == root.Status &&
			f.ContentType == root.ContentType && f.Name == ptr {
			at = f
			break
		}
	}
	if at == nil {
		return yamlMap{}
	}
	s := typeSchema(at.Types)
	switch s["type"] {
	case "object":
		props := yamlMap{}
		for _, f := range all {
			rest, ok := strings.CutPrefix(f.Name, ptr+"/")
			if ok && f.Kind == KindProperty && f.In == "" && rest != "*" && !strings.Contains(rest, "/") &&
				f.OperationID == root.OperationID && f.Status == root.Status && f.ContentType == root.ContentType {
				props[unescapePointer(rest)] = propertySchema(all, root, f.Name)
			}
		}
		if len(props) > 0 {
			s["properties"] = props
		}
	case "array":
		s["items"] = propertySchema(all, root, ptr+"/*")
	}
	return s
}

// typeSchema is the schema of what was seen with types: its type when one was seen (number
// when integers and fractions were), nullable when null was seen too; any type otherwise.
func typeSchema(types map[string]int) yamlMap {
	s := yamlMap{}
	var seen []string
	for t := range types {
		switch t {
		case "null":
			s["nullable"] = true
		case "unknown":
		default:
			seen = append(seen, t)
		}
	}
	slices.Sort(seen)
	switch {
	case len(seen) == 1:
		s["type"] = seen[0]
	case len(seen) == 2 && seen[0] == "integer" && seen[1] == "number":
		s["type"] = "number"
	}
	if s["type"] == "array" {
		s["items"] = yamlMap{}
	}
	return s
}

// mergeYAML merges b into a (a's scalars win), for a property found on several operations.
func mergeYAML(a any, b yamlMap) yamlMap {
	am, _ := a.(yamlMap)
	if am == nil {
		return b
	}
	for k, v := range b {
		switch bv := v.(type) {
		case yamlMap:
			am[k] = mergeYAML(am[k], bv)
		default:
			if _, ok := am[k]; !ok {
				am[k] = v
			}
		}
	}
	return am
}

func unescapePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return pointerUnescaper.Replace(s)
}

// pathQuoter escapes a name for a single-quoted JSONPath name selector.
var pathQuoter = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// jsonPath turns a JSON pointer fragment (#/components/schemas/Database) into the JSONPath of
// the same node: $.components.schemas.Database, with bracket notation for other names.
func jsonPath(pointer string) string {
	var b strings.Builder
	b.WriteString("$")
	for _, seg := range strings.Split(strings.TrimPrefix(strings.TrimPrefix(pointer, "#"), "/"), "/") {
		seg = unescapePointer(seg)
		if plainName.MatchString(seg) {
			b.WriteString("." + seg)
		} else {
			b.WriteString("['" + pathQuoter.Replace(seg) + "']")
		}
	}
	return b.String()
}

var plainYAML = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// yamlScalar writes a string as a plain YAML scalar when that is unambiguous, else as a
// double-quoted one (JSON's quoting is YAML's).
func yamlScalar(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~":
	default:
		if plainYAML.MatchString(s) {
			return s
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// writeYAML writes m as a block mapping indented by indent spaces.
func writeYAML(b *bytes.Buffer, m yamlMap, indent int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	pad := strings.Repeat(" ", indent)
	for _, k := range keys {
		fmt.Fprintf(b, "%s%s:", pad, yamlScalar(k))
		switch v := m[k].(type) {
		case yamlMap:
			if len(v) == 0 {
				b.WriteString(" {}\n")
				continue
			}
			b.WriteString("\n")
			writeYAML(b, v, indent+2)
		case bool:
			fmt.Fprintf(b, " %t\n", v)
		case int:
			fmt.Fprintf(b, " %d\n", v)
		case string:
			fmt.Fprintf(b, " %s\n", yamlScalar(v))
		}
	}
}
