package ecsagent

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strings"
)

// maxUserData is the largest user data EC2 accepts, in bytes: "User data
// is limited to 16 KB, in raw form, before it is base64-encoded" ("Work
// with instance user data", Amazon EC2 User Guide,
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html).
const maxUserData = 16 << 10

// maxExpanded bounds, in bytes, what the whole reading of one user data
// may decompress (every gzip layer together), and the size of user data
// it decodes at all: 16 times EC2's limit is more than any real script
// compresses to, and little enough that a gzip bomb costs nothing.
const maxExpanded = 16 * maxUserData

// maxDepth bounds the nesting of gzip layers and multi-part archives.
const maxDepth = 8

// mimeSniff is how far into user data cloud-init looks for a
// "MIME-Version:" header to take it as a MIME message (cloud-init,
// user_data.convert_string).
const mimeSniff = 4096

// errTooLarge is the error of a decompression that would exceed
// maxExpanded.
var errTooLarge = fmt.Errorf("decompresses to more than %d bytes", maxExpanded)

// stage is when, during boot, cloud-init acts on a piece of user data;
// the agent reads /etc/ecs/ecs.config after all of them. Pieces run stage
// by stage, each stage's in the order the user data gives them.
type stage int

const (
	// stageBoothook: cloud-boothook parts, run as soon as cloud-init
	// reads user data, and cloud-config bootcmd, the first module of its
	// init stage.
	stageBoothook stage = iota
	// stageFiles: cloud-config write_files, in the init stage.
	stageFiles
	// stageDeferredFiles: write_files entries with "defer: true", written
	// by write_files_deferred at the start of the final stage.
	stageDeferredFiles
	// stageScripts: shell scripts and runcmd, run by scripts_user late in
	// the final stage, and text of no type cloud-init runs (scanned as
	// drainer always did).
	stageScripts
)

// piece is one text that may assign ECS_* variables, and when it runs.
// replaces marks a write_files entry that overwrites /etc/ecs/ecs.config:
// what earlier pieces appended to the file is gone.
type piece struct {
	stage    stage
	text     []byte
	replaces bool
}

// agentConfig returns the text, in the order cloud-init acts on it, of
// everything in userData that may assign the agent's configuration:
// scripts, boothooks, bootcmd and runcmd commands, and what write_files
// writes (to /etc/ecs/ecs.config, or to other files scripts may run).
// User data reaches the agent through cloud-init, which accepts more than
// plain text: gzip-compressed content, MIME multi-part archives (what
// Terraform's cloudinit_config and AWS Batch produce) whose parts may be
// base64 or quoted-printable, gzip-compressed or multi-part again,
// cloud-config archives, and cloud-config documents whose write_files
// module writes /etc/ecs/ecs.config. agentConfig never fails: user data
// that is larger than maxExpanded, nested deeper than maxDepth, or
// malformed in a way cloud-init would not read, is scanned as the raw text
// it is. Sources: "User data formats", cloud-init documentation
// (https://cloudinit.readthedocs.io/en/latest/explanation/format.html);
// cloud-init's user_data.py, whose reading of user data this follows.
func agentConfig(userData string) string {
	if len(userData) > maxExpanded {
		return userData
	}
	r := reader{budget: maxExpanded}
	r.read([]byte(userData), 0)
	slices.SortStableFunc(r.pieces, func(a, b piece) int { return int(a.stage) - int(b.stage) })
	from := 0
	for i, p := range r.pieces {
		if p.replaces {
			from = i
		}
	}
	var out bytes.Buffer
	for _, p := range r.pieces[from:] {
		out.Write(p.text)
		out.WriteByte('\n')
	}
	return out.String()
}

// reader walks one user data, gathering its pieces; budget is how many
// bytes decompression may still produce.
type reader struct {
	budget int
	pieces []piece
}

// add records text as a piece run at stage s.
func (r *reader) add(s stage, text []byte) {
	r.pieces = append(r.pieces, piece{stage: s, text: text})
}

// read reads b as cloud-init reads user data (and a part whose type it
// must guess): gzip-compressed content is decompressed and read again;
// content with a MIME-Version header in its first 4 KiB is a MIME
// message; anything else is typed by how it starts.
func (r *reader) read(b []byte, depth int) {
	if depth > maxDepth {
		r.add(stageScripts, b)
		return
	}
	if isGzip(b) {
		r.readGzip(b, depth)
		return
	}
	if bytes.Contains(bytes.ToLower(b[:min(len(b), mimeSniff)]), []byte("mime-version:")) {
		n := len(r.pieces)
		if err := r.readMessage(b, depth); err != nil {
			r.pieces = r.pieces[:n]
			r.add(stageScripts, b)
		}
		return
	}
	r.readTyped(typeFromStart(b), b, depth)
}

// isGzip reports whether b starts with gzip's magic number (RFC 1952).
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// readGzip decompresses b and reads the result; content that does not
// decompress within the budget is scanned as it is (binary, it assigns
// nothing).
func (r *reader) readGzip(b []byte, depth int) {
	out, err := r.gunzip(b)
	if err != nil {
		r.add(stageScripts, b)
		return
	}
	r.read(out, depth+1)
}

// gunzip decompresses the first gzip member of b (data after it is
// ignored, as cloud-init's util.decomp_gzip does), charging the output to
// the budget: it fails with errTooLarge, having read at most one byte
// more than the budget, when the output would exceed it.
func (r *reader) gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	zr.Multistream(false)
	out, err := io.ReadAll(io.LimitReader(zr, int64(r.budget)+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if len(out) > r.budget {
		r.budget = 0
		return nil, fmt.Errorf("gunzip: %w", errTooLarge)
	}
	r.budget -= len(out)
	return out, nil
}

// readMessage reads b as a MIME message (RFC 2045): its headers, then its
// body as a part of the type they give.
func (r *reader) readMessage(b []byte, depth int) error {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(b)))
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return fmt.Errorf("MIME headers: %w", err)
	}
	body, err := io.ReadAll(tp.R)
	if err != nil {
		return fmt.Errorf("MIME body: %w", err)
	}
	return r.readPart(h, body, depth)
}

// readPart reads one MIME entity with header h and raw body: a multi-part
// one part by part, any other decoded per its Content-Transfer-Encoding
// and read per its Content-Type.
func (r *reader) readPart(h textproto.MIMEHeader, body []byte, depth int) error {
	ctype := "text/plain"
	var params map[string]string
	if v := h.Get("Content-Type"); v != "" {
		t, p, err := mime.ParseMediaType(v)
		if err != nil {
			return fmt.Errorf("content type %q: %w", v, err)
		}
		ctype, params = t, p
	}
	if strings.HasPrefix(ctype, "multipart/") {
		return r.readMultipart(body, params["boundary"], depth+1)
	}
	b, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	return r.readContent(ctype, b, depth)
}

// readContent reads the decoded content b of a part of type ctype:
// gzip-compressed content is decompressed and read again; text/plain and
// text/x-shellscript are typed by how they start, as cloud-init types them
// (a "text/x-shellscript" part that starts "#cloud-config" is
// cloud-config).
func (r *reader) readContent(ctype string, b []byte, depth int) error {
	if gzipTypes[ctype] || isGzip(b) {
		out, err := r.gunzip(b)
		if err != nil {
			return fmt.Errorf("part of type %s: %w", ctype, err)
		}
		r.read(out, depth+1)
		return nil
	}
	if retyped[ctype] {
		if t := typeFromStart(b); t != "" {
			ctype = t
		}
	}
	r.readTyped(ctype, b, depth)
	return nil
}

// retyped are the content types cloud-init replaces by the type the
// content's start gives, if any (cloud-init, user_data.TYPE_NEEDED and
// text/x-shellscript).
var retyped = map[string]bool{"text/plain": true, "text/x-not-multipart": true, "text/x-shellscript": true}

// gzipTypes are the content types of a part cloud-init decompresses
// (cloud-init, user_data.DECOMP_TYPES).
var gzipTypes = map[string]bool{
	"application/gzip": true, "application/gzip-compressed": true, "application/gzipped": true,
	"application/x-compress": true, "application/x-compressed": true, "application/x-gunzip": true,
	"application/x-gzip": true, "application/x-gzip-compressed": true,
}

// maxParts bounds the parts of one multi-part archive.
const maxParts = 256

// readMultipart reads the parts of a multi-part body in order. A last
// part cut short of its closing boundary is read as far as it goes, as
// cloud-init's email parser does.
func (r *reader) readMultipart(body []byte, boundary string, depth int) error {
	if boundary == "" {
		return errors.New("multipart without a boundary")
	}
	if depth > maxDepth {
		return fmt.Errorf("multipart nested more than %d deep", maxDepth)
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for i := 0; ; i++ {
		if i == maxParts {
			return fmt.Errorf("more than %d parts", maxParts)
		}
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("part %d: %w", i+1, err)
		}
		b, err := io.ReadAll(p)
		last := errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			return fmt.Errorf("part %d: %w", i+1, err)
		}
		if err := r.readPart(p.Header, b, depth); err != nil {
			return fmt.Errorf("part %d: %w", i+1, err)
		}
		if last {
			return nil
		}
	}
}

// decodeTransfer decodes body per a Content-Transfer-Encoding (RFC 2045
// §6): base64 (whitespace ignored) or quoted-printable; 7bit, 8bit,
// binary or none leave it as it is.
func decodeTransfer(encoding string, body []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		b, err := decodeBase64(body)
		if err != nil {
			return nil, fmt.Errorf("base64 part: %w", err)
		}
		return b, nil
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, fmt.Errorf("quoted-printable part: %w", err)
		}
		return b, nil
	}
	return body, nil
}

// decodeBase64 decodes standard base64 (RFC 4648 §4) with any white space
// in it, padded or not.
func decodeBase64(b []byte) ([]byte, error) {
	s := strings.Join(strings.Fields(string(b)), "")
	out, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		out, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	return out, err
}

// startTypes are the content types cloud-init gives content by how it
// starts, longest prefix first (cloud-init, handlers.type_from_starts_with
// and each handler's prefixes).
var startTypes = []struct{ prefix, ctype string }{
	{"#cloud-config-archive", "text/cloud-config-archive"},
	{"#cloud-config-jsonp", "text/cloud-config-jsonp"},
	{"#cloud-config", "text/cloud-config"},
	{"#cloud-boothook", "text/cloud-boothook"},
	{"#include-once", "text/x-include-once-url"},
	{"#include", "text/x-include-url"},
	{"#part-handler", "text/part-handler"},
	{"#upstart-job", "text/upstart-job"},
	{"## template: jinja", "text/jinja2"},
	{"#!", "text/x-shellscript"},
}

// typeFromStart is the content type cloud-init gives content by how it
// starts, or "" when its start says nothing.
func typeFromStart(b []byte) string {
	for _, t := range startTypes {
		if bytes.HasPrefix(b, []byte(t.prefix)) {
			return t.ctype
		}
	}
	return ""
}

// readTyped reads decoded content b of type ctype: cloud-config for what
// it runs and writes; a cloud-config archive part by part; a jinja template as the content it templates (its
// first line dropped, not rendered); boothooks, scripts and anything
// else, and content nested deeper than maxDepth, as text of their stage.
func (r *reader) readTyped(ctype string, b []byte, depth int) {
	if depth > maxDepth {
		ctype = ""
	}
	switch ctype {
	case "text/cloud-config":
		r.readCloudConfig(b)
	case "text/cloud-config-archive":
		r.readArchive(b, depth)
	case "text/jinja2":
		_, rest, _ := bytes.Cut(b, []byte("\n"))
		r.read(rest, depth+1)
	case "text/cloud-boothook":
		r.add(stageBoothook, b)
	default:
		r.add(stageScripts, b)
	}
}
