// Package query parses and evaluates Amazon ECS's cluster query language:
// the expressions of ListContainerInstances' filter and of memberOf
// placement constraints.
//
// The language, as the Amazon ECS Developer Guide gives it ("Create
// expressions to define container instances for Amazon ECS tasks",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html):
//
//	subject operator [argument]
//
// Subjects: agentConnected, agentVersion, attribute:NAME, ec2InstanceId,
// registeredAt, runningTasksCount, task:group. Operators, each in its
// symbol or word form: == equals, != not_equals, > greater_than,
// >= greater_than_equal, < less_than, <= less_than_equal, exists,
// !exists not_exists, in, !in not_in, =~ matches, !~ not_matches. in and
// not_in take a list [a, b, …]; matches and not_matches a regular
// expression (Java syntax in ECS; Go's RE2 here, matched against the
// whole value). Expressions combine with && and, || or, ! not, and
// parentheses; not binds tighter than and, and tighter than or.
//
// Whitespace is optional wherever the operators delimit the words, as ECS
// accepts it: ec2InstanceId==i-0abc and not(task:group == db) parse as
// their spaced forms. Arguments may be quoted with ' or ".
package query

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Instance is what an expression reads of a container instance.
type Instance interface {
	AgentConnected() bool
	AgentVersion() string
	EC2InstanceID() string
	RegisteredAt() time.Time
	RunningTasksCount() int
	// Attribute returns an attribute's value ("" when it has none) and
	// whether the instance has it.
	Attribute(name string) (string, bool)
	// TaskGroups returns the groups of the tasks on the instance that
	// are not stopped (duplicates allowed).
	TaskGroups() []string
}

// Expr is a parsed expression. The zero Expr matches every instance.
type Expr struct {
	root node
	src  string
}

// String returns the expression as it was written.
func (e Expr) String() string { return e.src }

// Match reports whether in satisfies the expression.
func (e Expr) Match(in Instance) bool {
	if e.root == nil {
		return true
	}
	return e.root.eval(in)
}

// Pinned returns the value v when the expression can only match instances
// whose subject equals v: a "subject == v" term at the top level or in a
// top-level conjunction. ListContainerInstances uses it to look up an
// ec2InstanceId directly.
func (e Expr) Pinned(subject string) (string, bool) {
	var find func(n node) (string, bool)
	find = func(n node) (string, bool) {
		switch n := n.(type) {
		case *term:
			if n.subject == subject && n.op == opEq {
				return n.args[0], true
			}
		case *and:
			if v, ok := find(n.l); ok {
				return v, true
			}
			return find(n.r)
		}
		return "", false
	}
	if e.root == nil {
		return "", false
	}
	return find(e.root)
}

// Subjects ECS knows.
const (
	SubjectAgentConnected    = "agentConnected"
	SubjectAgentVersion      = "agentVersion"
	SubjectEC2InstanceID     = "ec2InstanceId"
	SubjectRegisteredAt      = "registeredAt"
	SubjectRunningTasksCount = "runningTasksCount"
	SubjectTaskGroup         = "task:group"
	attributePrefix          = "attribute:"
)

type op int

const (
	opEq op = iota
	opNe
	opGt
	opGe
	opLt
	opLe
	opExists
	opNotExists
	opIn
	opNotIn
	opMatches
	opNotMatches
)

var opWords = map[string]op{
	"equals": opEq, "not_equals": opNe, "greater_than": opGt, "greater_than_equal": opGe,
	"less_than": opLt, "less_than_equal": opLe, "exists": opExists, "not_exists": opNotExists,
	"in": opIn, "not_in": opNotIn, "matches": opMatches, "not_matches": opNotMatches,
}

// opSymbols are tried longest first.
var opSymbols = []struct {
	s  string
	op op
}{
	{"!exists", opNotExists}, {"!in", opNotIn}, {"==", opEq}, {"!=", opNe}, {">=", opGe}, {"<=", opLe},
	{"=~", opMatches}, {"!~", opNotMatches}, {">", opGt}, {"<", opLt},
}

var opNames = [...]string{"==", "!=", ">", ">=", "<", "<=", "exists", "!exists", "in", "!in", "=~", "!~"}

func (o op) String() string { return opNames[o] }

// negative operators are the negations of a positive one.
func (o op) positive() (op, bool) {
	switch o {
	case opNe:
		return opEq, true
	case opNotExists:
		return opExists, true
	case opNotIn:
		return opIn, true
	case opNotMatches:
		return opMatches, true
	}
	return o, false
}

// allowed lists each subject's operators, as the Developer Guide gives
// them; attributes and task groups take the string operators.
func allowed(subject string, o op) bool {
	ordered := o == opEq || o == opNe || o == opGt || o == opGe || o == opLt || o == opLe
	switch subject {
	case SubjectAgentVersion, SubjectRegisteredAt, SubjectRunningTasksCount:
		return ordered
	case SubjectAgentConnected, SubjectEC2InstanceID:
		return o == opEq || o == opNe || o == opIn || o == opNotIn || o == opMatches || o == opNotMatches
	}
	return o == opEq || o == opNe || o == opExists || o == opNotExists ||
		o == opIn || o == opNotIn || o == opMatches || o == opNotMatches
}

type node interface{ eval(Instance) bool }

type and struct{ l, r node }
type or struct{ l, r node }
type not struct{ x node }

func (n *and) eval(in Instance) bool { return n.l.eval(in) && n.r.eval(in) }
func (n *or) eval(in Instance) bool  { return n.l.eval(in) || n.r.eval(in) }
func (n *not) eval(in Instance) bool { return !n.x.eval(in) }

// term is one subject operator [argument].
type term struct {
	subject string // attribute terms: attributePrefix + name
	op      op
	args    []string
	re      *regexp.Regexp
	num     int       // runningTasksCount
	version []int     // agentVersion
	date    time.Time // registeredAt
}

// Parse parses a cluster query language expression. An empty (or blank)
// expression matches everything. Errors name what was wrong and where.
func Parse(s string) (Expr, error) {
	p := &parser{s: s}
	p.space()
	if p.end() {
		return Expr{src: s}, nil
	}
	n, err := p.or()
	if err != nil {
		return Expr{}, err
	}
	p.space()
	if !p.end() {
		return Expr{}, p.errorf("unexpected %q", p.rest())
	}
	return Expr{root: n, src: s}, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) end() bool { return p.i >= len(p.s) }

func (p *parser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("cluster query at offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *parser) space() {
	for !p.end() && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// word returns the bare run at the cursor without consuming it: letters,
// digits and anything else up to whitespace or a delimiter.
func (p *parser) word() string {
	j := p.i
	for j < len(p.s) && !strings.ContainsRune(" \t\n\r=!<>()[],&|'\"~", rune(p.s[j])) {
		j++
	}
	return p.s[p.i:j]
}

// keyword consumes the boolean operator at the cursor (&&/and, ||/or).
func (p *parser) keyword(sym, word string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], sym) {
		p.i += len(sym)
		return true
	}
	if w := p.word(); strings.EqualFold(w, word) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *parser) or() (node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("||", "or") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &or{l, r}
	}
	return l, nil
}

func (p *parser) and() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword("&&", "and") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &and{l, r}
	}
	return l, nil
}

func (p *parser) unary() (node, error) {
	p.space()
	if p.end() {
		return nil, p.errorf("expression ends where a term was expected")
	}
	switch {
	case p.s[p.i] == '(':
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.end() || p.s[p.i] != ')' {
			return nil, p.errorf("missing )")
		}
		p.i++
		return n, nil
	case p.s[p.i] == '!':
		p.i++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &not{x}, nil
	case strings.EqualFold(p.word(), "not"):
		p.i += len("not")
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &not{x}, nil
	}
	return p.term()
}

func (p *parser) term() (node, error) {
	subject := p.word()
	if subject == "" {
		return nil, p.errorf("expected a subject, found %q", p.rest())
	}
	switch {
	case subject == SubjectAgentConnected, subject == SubjectAgentVersion, subject == SubjectEC2InstanceID,
		subject == SubjectRegisteredAt, subject == SubjectRunningTasksCount, subject == SubjectTaskGroup:
	case strings.HasPrefix(subject, attributePrefix) && len(subject) > len(attributePrefix):
	default:
		return nil, p.errorf("unknown subject %q", subject)
	}
	p.i += len(subject)
	p.space()
	o, err := p.operator()
	if err != nil {
		return nil, err
	}
	if !allowed(subject, o) {
		return nil, p.errorf("operator %s is not valid for %s", o, subject)
	}
	t := &term{subject: subject, op: o}
	switch o {
	case opExists, opNotExists:
		return t, nil
	case opIn, opNotIn:
		if t.args, err = p.list(); err != nil {
			return nil, err
		}
	case opMatches, opNotMatches:
		pat, err := p.pattern()
		if err != nil {
			return nil, err
		}
		if t.re, err = regexp.Compile("^(?:" + pat + ")$"); err != nil {
			return nil, p.errorf("bad pattern %q: %v", pat, err)
		}
		t.args = []string{pat}
	default:
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		t.args = []string{v}
	}
	return t, t.typed(p)
}

// typed parses the argument of a typed subject once, at parse time.
func (t *term) typed(p *parser) error {
	if t.op == opMatches || t.op == opNotMatches || t.op == opIn || t.op == opNotIn {
		return nil
	}
	v := t.args[0]
	switch t.subject {
	case SubjectRunningTasksCount:
		n, err := strconv.Atoi(v)
		if err != nil {
			return p.errorf("runningTasksCount takes a whole number, not %q", v)
		}
		t.num = n
	case SubjectAgentVersion:
		ver, ok := parseVersion(v)
		if !ok {
			return p.errorf("agentVersion takes a version such as 1.14.5, not %q", v)
		}
		t.version = ver
	case SubjectRegisteredAt:
		d, ok := parseDate(v)
		if !ok {
			return p.errorf("registeredAt takes a date such as 2018-06-18 or 2018-06-18T22:28:28Z, not %q", v)
		}
		t.date = d
	case SubjectAgentConnected:
		if v != "true" && v != "false" {
			return p.errorf("agentConnected takes true or false, not %q", v)
		}
	}
	return nil
}

func (p *parser) operator() (op, error) {
	for _, s := range opSymbols {
		if strings.HasPrefix(p.s[p.i:], s.s) {
			// !in and !exists are words: the next character must end them.
			if (s.op == opNotIn || s.op == opNotExists) && p.i+len(s.s) < len(p.s) && isWordChar(p.s[p.i+len(s.s)]) {
				continue
			}
			p.i += len(s.s)
			return s.op, nil
		}
	}
	w := p.word()
	if o, ok := opWords[strings.ToLower(w)]; ok {
		p.i += len(w)
		return o, nil
	}
	return 0, p.errorf("expected an operator, found %q", p.rest())
}

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// value reads a quoted or bare argument.
func (p *parser) value() (string, error) {
	p.space()
	if p.end() {
		return "", p.errorf("expression ends where an argument was expected")
	}
	if q := p.s[p.i]; q == '\'' || q == '"' {
		j := strings.IndexByte(p.s[p.i+1:], q)
		if j < 0 {
			return "", p.errorf("unterminated quote")
		}
		v := p.s[p.i+1 : p.i+1+j]
		p.i += j + 2
		return v, nil
	}
	j := p.i
	for j < len(p.s) && !strings.ContainsRune(" \t\n\r()[],&|", rune(p.s[j])) {
		j++
	}
	if j == p.i {
		return "", p.errorf("expected an argument, found %q", p.rest())
	}
	v := p.s[p.i:j]
	p.i = j
	return v, nil
}

// pattern reads a regular expression: quoted, or a bare run up to
// whitespace, && or ||, giving back closing parentheses it does not open
// (they close a group of the expression).
func (p *parser) pattern() (string, error) {
	p.space()
	if !p.end() && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		return p.value()
	}
	j := p.i
	for j < len(p.s) && !strings.ContainsRune(" \t\n\r", rune(p.s[j])) &&
		!strings.HasPrefix(p.s[j:], "&&") && !strings.HasPrefix(p.s[j:], "||") {
		j++
	}
	v := p.s[p.i:j]
	for strings.HasSuffix(v, ")") && strings.Count(v, ")") > strings.Count(v, "(") {
		v = v[:len(v)-1]
	}
	if v == "" {
		return "", p.errorf("expected a pattern, found %q", p.rest())
	}
	p.i += len(v)
	return v, nil
}

// list reads [a, b, …].
func (p *parser) list() ([]string, error) {
	p.space()
	if p.end() || p.s[p.i] != '[' {
		return nil, p.errorf("in and not_in take a list [a, b, …]")
	}
	p.i++
	var out []string
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.space()
		if p.end() {
			return nil, p.errorf("missing ]")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return out, nil
		default:
			return nil, p.errorf("expected , or ] in a list, found %q", p.rest())
		}
	}
}

func (t *term) eval(in Instance) bool {
	if pos, neg := t.op.positive(); neg {
		u := *t
		u.op = pos
		return !u.eval(in)
	}
	switch t.subject {
	case SubjectAgentConnected:
		return t.str(strconv.FormatBool(in.AgentConnected()))
	case SubjectEC2InstanceID:
		return t.str(in.EC2InstanceID())
	case SubjectRunningTasksCount:
		return t.order(compareInt(in.RunningTasksCount(), t.num))
	case SubjectAgentVersion:
		v, ok := parseVersion(in.AgentVersion())
		return ok && t.order(compareVersion(v, t.version))
	case SubjectRegisteredAt:
		return t.order(in.RegisteredAt().Compare(t.date))
	case SubjectTaskGroup:
		for _, g := range in.TaskGroups() {
			if t.op == opExists || t.str(g) {
				return true
			}
		}
		return false
	}
	v, ok := in.Attribute(strings.TrimPrefix(t.subject, attributePrefix))
	if t.op == opExists || !ok {
		return ok && t.op == opExists
	}
	return t.str(v)
}

// str applies a positive string operator.
func (t *term) str(v string) bool {
	switch t.op {
	case opEq:
		return v == t.args[0]
	case opIn:
		for _, a := range t.args {
			if v == a {
				return true
			}
		}
		return false
	case opMatches:
		return t.re.MatchString(v)
	}
	return false
}

// order applies an ordered operator to a comparison result.
func (t *term) order(c int) bool {
	switch t.op {
	case opEq:
		return c == 0
	case opGt:
		return c > 0
	case opGe:
		return c >= 0
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	}
	return false
}

func compareInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseVersion reads a dotted version (1.14.5, optionally v-prefixed).
func parseVersion(s string) ([]int, bool) {
	s = strings.TrimPrefix(s, "v")
	if s == "" {
		return nil, false
	}
	var out []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

func compareVersion(a, b []int) int {
	for i := range max(len(a), len(b)) {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := compareInt(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// parseDate reads the date formats the Developer Guide lists for
// registeredAt: 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z,
// 2018-06-18T22:28:28 (UTC) and 2018-06-18 (midnight UTC).
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
