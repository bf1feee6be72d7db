package ecsagent

import (
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// agentConfigPath is the file the ECS agent reads its configuration from
// ("Amazon ECS container agent configuration", Amazon ECS Developer Guide,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html).
const agentConfigPath = "/etc/ecs/ecs.config"

// maxAliases bounds how many YAML aliases reading one cloud-config
// follows, so that aliases of aliases cannot multiply the work.
const maxAliases = 64

// readCloudConfig reads a cloud-config document for what may configure
// the agent: bootcmd (run first, at stageBoothook), write_files (at
// stageFiles, or stageDeferredFiles with "defer: true"), runcmd (at
// stageScripts, with the scripts). A write_files entry for
// /etc/ecs/ecs.config without "append: true" replaces the file; the
// content of an entry for any other file counts as a script's, as a
// script runcmd runs may be what it writes. Several cloud-config parts
// are read in order, as the list(append) merge Terraform users set
// would give them. A document that is not YAML is scanned as text.
// Sources: "Cloud config examples", "Write files", "Bootcmd" and
// "Runcmd", cloud-init module reference
// (https://cloudinit.readthedocs.io/en/latest/reference/modules.html).
func (r *reader) readCloudConfig(b []byte) {
	doc, err := parseYAML(b)
	if err != nil {
		r.add(stageScripts, b)
		return
	}
	w := yamlWalk{aliases: maxAliases}
	top := w.deref(doc)
	if top == nil || top.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		v := top.Content[i+1]
		switch top.Content[i].Value {
		case "bootcmd":
			r.add(stageBoothook, []byte(w.commands(v)))
		case "runcmd":
			r.add(stageScripts, []byte(w.commands(v)))
		case "write_files":
			for _, f := range w.items(v) {
				r.writeFile(&w, f)
			}
		}
	}
}

// readArchive reads a cloud-config archive: a YAML list whose entries
// are parts, each a string (its content) or a mapping of content and
// type, of the type its start gives when it has none, else cloud-config.
// An archive that is not a YAML list is scanned as text. Source:
// "Cloud config archive", "User data formats", cloud-init documentation
// (https://cloudinit.readthedocs.io/en/latest/explanation/format.html).
func (r *reader) readArchive(b []byte, depth int) {
	doc, err := parseYAML(b)
	if err != nil {
		r.add(stageScripts, b)
		return
	}
	w := yamlWalk{aliases: maxAliases}
	for _, e := range w.items(doc) {
		content, ctype := e, ""
		if e.Kind == yaml.MappingNode {
			f := w.fields(e)
			content, ctype = f["content"], scalar(f["type"])
		}
		c, err := r.fileContent(content, "")
		if err != nil || c == nil {
			continue
		}
		if ctype == "" {
			if ctype = typeFromStart(c); ctype == "" {
				ctype = "text/cloud-config"
			}
		}
		if err := r.readContent(ctype, c, depth+1); err != nil {
			r.add(stageScripts, c)
		}
	}
}

// parseYAML parses one YAML document into its node tree, without
// resolving aliases. yaml.v3 has panicked on hostile input before
// (CVE-2022-28948); a panic is turned into an error.
func parseYAML(b []byte) (doc *yaml.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, fmt.Errorf("yaml: %v", p)
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	return &n, nil
}

// writeFile reads one write_files entry: path, content, encoding
// (base64, gzip or gzip+base64 under their several names, or plain),
// append and defer. An entry whose content does not decode writes
// nothing, as cloud-init fails it.
func (r *reader) writeFile(w *yamlWalk, f *yaml.Node) {
	e := w.fields(f)
	p := e["path"]
	if p == nil || p.Kind != yaml.ScalarNode {
		return
	}
	content, err := r.fileContent(e["content"], scalar(e["encoding"]))
	if err != nil {
		return
	}
	s := stageFiles
	if isTrue(e["defer"]) {
		s = stageDeferredFiles
	}
	if path.Clean(p.Value) != agentConfigPath {
		r.add(stageScripts, content)
		return
	}
	r.pieces = append(r.pieces, piece{stage: s, text: content, replaces: !isTrue(e["append"])})
}

// fileContent decodes a write_files entry's content per its encoding, as
// cloud-init's write_files does ("b64"/"base64"; "gz"/"gzip";
// "gz+b64", "gz+base64", "gzip+b64", "gzip+base64"; anything else is
// plain text). A content tagged !!binary is base64 in the YAML already.
func (r *reader) fileContent(c *yaml.Node, encoding string) ([]byte, error) {
	if c == nil || c.Kind != yaml.ScalarNode {
		return nil, nil
	}
	b := []byte(c.Value)
	if c.Tag == "!!binary" {
		var err error
		if b, err = decodeBase64(b); err != nil {
			return nil, fmt.Errorf("binary content: %w", err)
		}
	}
	var err error
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "b64", "base64":
		b, err = decodeBase64(b)
	case "gz", "gzip":
		b, err = r.gunzip(b)
	case "gz+b64", "gz+base64", "gzip+b64", "gzip+base64":
		if b, err = decodeBase64(b); err == nil {
			b, err = r.gunzip(b)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("content encoded %s: %w", encoding, err)
	}
	return b, nil
}

// yamlWalk reads a parsed YAML tree, following at most aliases more
// aliases.
type yamlWalk struct{ aliases int }

// deref is n with its document and aliases resolved, or nil when the
// alias budget is spent.
func (w *yamlWalk) deref(n *yaml.Node) *yaml.Node {
	for n != nil {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		case yaml.AliasNode:
			if w.aliases == 0 {
				return nil
			}
			w.aliases--
			n = n.Alias
		default:
			return n
		}
	}
	return nil
}

// items are the elements of a sequence node (none for another node).
func (w *yamlWalk) items(n *yaml.Node) []*yaml.Node {
	n = w.deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if c = w.deref(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// fields are the values of a mapping node by key (none for another
// node); a repeated key keeps its last value, as YAML loaders do.
func (w *yamlWalk) fields(n *yaml.Node) map[string]*yaml.Node {
	n = w.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = w.deref(n.Content[i+1])
	}
	return out
}

// commands is the text of a bootcmd or runcmd list, one command a line:
// a string runs as a shell line, a list of strings as one command's
// words.
func (w *yamlWalk) commands(n *yaml.Node) string {
	var lines []string
	for _, c := range w.items(n) {
		switch c.Kind {
		case yaml.ScalarNode:
			lines = append(lines, c.Value)
		case yaml.SequenceNode:
			var words []string
			for _, word := range w.items(c) {
				words = append(words, scalar(word))
			}
			lines = append(lines, strings.Join(words, " "))
		}
	}
	return strings.Join(lines, "\n")
}

// scalar is the value of a scalar node, or "" for none or another node.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// isTrue reports whether n is true as cloud-init's translate_bool reads
// an option: true, yes, on or 1, in any case.
func isTrue(n *yaml.Node) bool {
	switch strings.ToLower(strings.TrimSpace(scalar(n))) {
	case "true", "yes", "on", "1":
		return true
	}
	return false
}
