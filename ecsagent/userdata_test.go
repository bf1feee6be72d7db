package ecsagent

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"runtime"
	"strings"
	"testing"
	"time"
)

// gzipped is s compressed as gzip -9 would.
func gzipped(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// b64 is s in base64, wrapped at 76 characters as MIME writers wrap it.
func b64(s string) string {
	e := base64.StdEncoding.EncodeToString([]byte(s))
	var out strings.Builder
	for len(e) > 76 {
		out.WriteString(e[:76] + "\r\n")
		e = e[76:]
	}
	out.WriteString(e)
	return out.String()
}

// part is one MIME part: its Content-Type, its Content-Transfer-Encoding
// ("", "base64" or "quoted-printable"; body is given decoded) and body.
type part struct{ ctype, encoding, body string }

// archive is a multipart/mixed entity of parts, as Terraform's
// cloudinit_config renders one: its Content-Type and its body.
func archive(t testing.TB, parts ...part) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{"Content-Type": {p.ctype}, "Mime-Version": {"1.0"}}
		if p.encoding != "" {
			h.Set("Content-Transfer-Encoding", p.encoding)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		body := p.body
		switch p.encoding {
		case "base64":
			body = b64(body)
		case "quoted-printable":
			var q bytes.Buffer
			qw := quotedprintable.NewWriter(&q)
			if _, err := qw.Write([]byte(body)); err != nil {
				t.Fatal(err)
			}
			if err := qw.Close(); err != nil {
				t.Fatal(err)
			}
			body = q.String()
		}
		if _, err := pw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return "multipart/mixed; boundary=\"" + w.Boundary() + "\"", b.String()
}

// mimeUserData is a MIME multi-part user data of parts.
func mimeUserData(t testing.TB, parts ...part) string {
	t.Helper()
	ctype, body := archive(t, parts...)
	return "Content-Type: " + ctype + "\r\nMIME-Version: 1.0\r\n\r\n" + body
}

// nested is a multipart/mixed part holding parts.
func nested(t testing.TB, parts ...part) part {
	t.Helper()
	ctype, body := archive(t, parts...)
	return part{ctype: ctype, body: body}
}

// A script and a cloud-config as they usually come.
const (
	script = "#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config\n"

	// terraformMIME is what Terraform's cloudinit_config renders (gzip and
	// base64_encode off), with its fixed boundary.
	terraformMIME = "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\n" +
		"MIME-Version: 1.0\n\n" +
		"--MIMEBOUNDARY\n" +
		"Content-Transfer-Encoding: 7bit\n" +
		"Content-Type: text/cloud-config\n" +
		"Mime-Version: 1.0\n\n" +
		"#cloud-config\npackages:\n  - amazon-efs-utils\n\n" +
		"--MIMEBOUNDARY\n" +
		"Content-Transfer-Encoding: 7bit\n" +
		"Content-Type: text/x-shellscript\n" +
		"Mime-Version: 1.0\n\n" +
		"#!/bin/bash\ncat <<'EOF' >> /etc/ecs/ecs.config\nECS_CLUSTER=terraform\nECS_CONTAINER_STOP_TIMEOUT=3m\nEOF\n\n" +
		"--MIMEBOUNDARY--\n"

	// batchMIME is user data in the form AWS Batch requires of a launch
	// template ("Amazon EC2 user data in launch templates", AWS Batch User
	// Guide).
	batchMIME = "MIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=\"==MYBOUNDARY==\"\n\n" +
		"--==MYBOUNDARY==\n" +
		"Content-Type: text/x-shellscript; charset=\"us-ascii\"\n\n" +
		"#!/bin/bash\necho \"ECS_CLUSTER=batch\" >> /etc/ecs/ecs.config\necho ECS_CONTAINER_STOP_TIMEOUT=45s >> /etc/ecs/ecs.config\n\n" +
		"--==MYBOUNDARY==--\n"

	writeFiles = "#cloud-config\nwrite_files:\n" +
		"  - path: /etc/ecs/ecs.config\n" +
		"    permissions: '0644'\n" +
		"    content: |\n" +
		"      ECS_CLUSTER=from-write-files\n" +
		"      ECS_CONTAINER_STOP_TIMEOUT=2m\n" +
		"      ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\n"
)

// Cluster reads user data in every format cloud-init reads; the last
// assignment in cloud-init's order wins; what cannot be decoded is read
// as text, and what would decode too large is refused.
func TestClusterFormats(t *testing.T) {
	bomb := gzipped(t, "ECS_CLUSTER=bomb\n"+strings.Repeat("\x00", 4<<20))
	deep := "echo ECS_CLUSTER=deep"
	for range 20 {
		deep = gzipped(t, deep)
	}
	shallow := "echo ECS_CLUSTER=shallow"
	for range 3 {
		shallow = gzipped(t, shallow)
	}
	deepArchive := "#cloud-config\nwrite_files: [{path: /etc/ecs/ecs.config, content: ECS_CLUSTER=deep}]\n"
	for range 20 {
		deepArchive = "#cloud-config-archive\n- content: !!binary " + base64.StdEncoding.EncodeToString([]byte(deepArchive)) + "\n"
	}
	tests := []struct {
		name     string
		userData string
		want     string
	}{
		{"gzip", gzipped(t, script), "web"},
		{"gzip of gzip", shallow, "shallow"},
		{"terraform cloudinit_config", terraformMIME, "terraform"},
		{"terraform cloudinit_config gzipped", gzipped(t, terraformMIME), "terraform"},
		{"aws batch", batchMIME, "batch"},
		{"part in base64", mimeUserData(t, part{"text/x-shellscript", "base64", script}), "web"},
		{"part in quoted-printable", mimeUserData(t, part{"text/x-shellscript", "quoted-printable",
			"#!/bin/bash\necho '" + strings.Repeat("é", 30) + "' ECS_CLUSTER=qp >> /etc/ecs/ecs.config\n"}), "qp"},
		{"gzipped part", mimeUserData(t, part{"application/x-gzip", "base64", gzipped(t, script)}), "web"},
		{"text/plain part typed by its start", mimeUserData(t, part{"text/plain", "base64", writeFiles}), "from-write-files"},
		{"last assignment wins across parts", mimeUserData(t,
			part{"text/x-shellscript", "", "#!/bin/sh\necho ECS_CLUSTER=first >> /etc/ecs/ecs.config"},
			part{"text/x-shellscript", "base64", "#!/bin/sh\necho ECS_CLUSTER=second >> /etc/ecs/ecs.config"}), "second"},
		{"nested multipart", mimeUserData(t,
			part{"text/x-shellscript", "", "#!/bin/sh\necho ECS_CLUSTER=outer >> /etc/ecs/ecs.config"},
			nested(t,
				part{"text/cloud-config", "", "#cloud-config\npackages: [jq]\n"},
				part{"text/x-shellscript", "base64", "#!/bin/sh\necho ECS_CLUSTER=inner >> /etc/ecs/ecs.config"})), "inner"},
		{"boothook runs before scripts", mimeUserData(t,
			part{"text/x-shellscript", "", "#!/bin/sh\necho ECS_CLUSTER=script >> /etc/ecs/ecs.config"},
			part{"text/cloud-boothook", "", "#cloud-boothook\necho ECS_CLUSTER=boothook >> /etc/ecs/ecs.config"}), "script"},
		{"single part MIME", "MIME-Version: 1.0\nContent-Type: text/x-shellscript\n\n" + script, "web"},
		{"closing boundary missing", strings.TrimSuffix(batchMIME, "--==MYBOUNDARY==--\n"), "batch"},
		{"write_files", writeFiles, "from-write-files"},
		{"write_files b64", "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  encoding: b64\n  content: " +
			base64.StdEncoding.EncodeToString([]byte("ECS_CLUSTER=b64\n")) + "\n", "b64"},
		{"write_files gzip+base64", "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  encoding: gzip+base64\n  content: " +
			base64.StdEncoding.EncodeToString([]byte(gzipped(t, "ECS_CLUSTER=gz64\n"))) + "\n", "gz64"},
		{"write_files gzip !!binary", "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  encoding: gz\n  content: !!binary |\n    " +
			base64.StdEncoding.EncodeToString([]byte(gzipped(t, "ECS_CLUSTER=binary\n"))) + "\n", "binary"},
		{"write_files replaces what a boothook appended", mimeUserData(t,
			part{"text/cloud-config", "", "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  content: ECS_CONTAINER_STOP_TIMEOUT=1m\n"},
			part{"text/cloud-boothook", "", "#cloud-boothook\necho ECS_CLUSTER=boothook >> /etc/ecs/ecs.config"}), ""},
		{"write_files appends to what a boothook appended", mimeUserData(t,
			part{"text/cloud-config", "", "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  append: true\n  content: ECS_CONTAINER_STOP_TIMEOUT=1m\n"},
			part{"text/cloud-boothook", "", "#cloud-boothook\necho ECS_CLUSTER=boothook >> /etc/ecs/ecs.config"}), "boothook"},
		{"runcmd after write_files", "#cloud-config\nruncmd:\n- echo ECS_CLUSTER=runcmd >> /etc/ecs/ecs.config\n" +
			"write_files:\n- path: /etc/ecs/ecs.config\n  content: ECS_CLUSTER=file\n", "runcmd"},
		{"bootcmd before write_files", "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  append: yes\n  content: ECS_CLUSTER=file\n" +
			"bootcmd:\n- [sh, -c, 'echo ECS_CLUSTER=bootcmd >> /etc/ecs/ecs.config']\n", "file"},
		{"deferred write_files after others", "#cloud-config\nwrite_files:\n" +
			"- path: /etc/ecs/ecs.config\n  defer: true\n  content: ECS_CLUSTER=deferred\n" +
			"- path: /etc/ecs/ecs.config\n  content: ECS_CLUSTER=early\n", "deferred"},
		{"write_files of a script runcmd runs", "#cloud-config\nwrite_files:\n- path: /opt/join.sh\n  encoding: base64\n  content: " +
			base64.StdEncoding.EncodeToString([]byte("echo ECS_CLUSTER=joined >> /etc/ecs/ecs.config")) + "\nruncmd: [sh /opt/join.sh]\n", "joined"},
		{"aliases", "#cloud-config\nx: &c ECS_CLUSTER=alias\nwrite_files:\n- path: /etc/ecs/ecs.config\n  content: *c\n", "alias"},
		{"jinja template", "## template: jinja\n#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  encoding: b64\n  content: " +
			base64.StdEncoding.EncodeToString([]byte("ECS_CLUSTER=jinja\n")) + "\n", "jinja"},
		{"cloud-config in a text/x-shellscript part", mimeUserData(t, part{"text/x-shellscript", "", writeFiles}), "from-write-files"},
		{"cloud-config archive", "#cloud-config-archive\n" +
			"- type: text/cloud-boothook\n  content: |\n    #cloud-boothook\n    echo ECS_CLUSTER=boothook >> /etc/ecs/ecs.config\n" +
			"- |\n  #!/bin/sh\n  echo ECS_CLUSTER=archive-script >> /etc/ecs/ecs.config\n" +
			"- content: !!binary " + base64.StdEncoding.EncodeToString([]byte(gzipped(t, "#!/bin/sh\necho ECS_CLUSTER=archive-gzip"))) + "\n" +
			"  type: application/x-gzip\n", "archive-gzip"},
		{"cloud-config archive entry without a type is cloud-config", "#cloud-config-archive\n" +
			"- content: |\n    write_files: [{path: /etc/ecs/ecs.config, content: ECS_CLUSTER=archived}]\n", "archived"},
		{"cloud-config archives nested too deep", deepArchive, ""},
		{"cloud-config not YAML: read as text", "#cloud-config\nruncmd: [\n  echo ECS_CLUSTER=text >> /etc/ecs/ecs.config\n", "text"},
		{"broken MIME: read as text", "MIME-Version: 1.0\nContent-Type: multipart/mixed\n\n" + script, "web"},
		{"part not in the base64 it claims: read as text", strings.Replace(batchMIME, "charset=\"us-ascii\"", "charset=\"us-ascii\"\nContent-Transfer-Encoding: base64", 1), "batch"},
		{"gzip bomb refused", bomb, ""},
		{"gzip bomb in a part refused", mimeUserData(t, part{"application/gzip", "base64", bomb}), ""},
		{"gzip bomb in write_files refused", "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  encoding: gzip+base64\n  content: " +
			base64.StdEncoding.EncodeToString([]byte(bomb)) + "\n", ""},
		{"gzip nested too deep", deep, ""},
		{"gzip cut short", gzipped(t, script)[:20], ""},
		{"binary garbage", "\x1f\x8b\x08\x00garbage\xff\xfe", ""},
		{"cloud-config of no mapping", "#cloud-config\n- ECS_CLUSTER=list\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Cluster(tt.userData)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Cluster = %q, %t; want %q\nuser data:\n%s", got, ok, tt.want, tt.userData)
			}
		})
	}
}

// StopTimeout reads the same formats.
func TestStopTimeoutFormats(t *testing.T) {
	tests := []struct {
		name     string
		userData string
		want     time.Duration
	}{
		{"terraform cloudinit_config", terraformMIME, 3 * time.Minute},
		{"aws batch gzipped", gzipped(t, batchMIME), 45 * time.Second},
		{"write_files", writeFiles, 2 * time.Minute},
		{"write_files in a base64 part of a gzipped archive", gzipped(t, mimeUserData(t,
			part{"text/x-shellscript", "", script},
			part{"text/cloud-config", "base64", writeFiles})), 2 * time.Minute},
		{"overwritten by write_files", mimeUserData(t,
			part{"text/cloud-boothook", "", "#cloud-boothook\necho ECS_CONTAINER_STOP_TIMEOUT=5m >> /etc/ecs/ecs.config"},
			part{"text/cloud-config", "", "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  content: ECS_CLUSTER=web\n"}), DefaultStopTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StopTimeout(tt.userData); got != tt.want {
				t.Errorf("StopTimeout = %v, want %v", got, tt.want)
			}
		})
	}
}

// A gzip bomb is refused after decompressing no more than the budget: 16
// MiB of zeros in 16 KiB of gzip costs far less than 16 MiB to read.
func TestGzipBombBounded(t *testing.T) {
	bomb := gzipped(t, "ECS_CLUSTER=bomb\n"+strings.Repeat("\x00", 16<<20))
	if len(bomb) > maxExpanded {
		t.Fatalf("bomb is %d bytes, more than user data decoded at all", len(bomb))
	}
	for _, ud := range []string{bomb, mimeUserData(t, part{"application/x-gzip", "base64", bomb})} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, ok := Cluster(ud)
		runtime.ReadMemStats(&after)
		if ok {
			t.Error("Cluster read a cluster from a gzip bomb")
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
			t.Errorf("reading a gzip bomb allocated %d bytes", got)
		}
	}
}

// agentConfig never panics, on any input.
func FuzzAgentConfig(f *testing.F) {
	for _, s := range []string{"", script, terraformMIME, batchMIME, writeFiles, gzipped(f, terraformMIME),
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=b\n\n--b\n",
		"#cloud-config\na: &a [*a]\n", "#cloud-config-archive\n- [a]\n- content: !!binary eA==\n  type: text/cloud-config-archive\n", "#cloud-config\nwrite_files: [{path: /etc/ecs/ecs.config, encoding: gz, content: x}]\n",
		fmt.Sprintf("#cloud-config\nwrite_files: [{path: %q, content: {a: b}}]\n", agentConfigPath)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, userData string) {
		agentConfig(userData)
	})
}
