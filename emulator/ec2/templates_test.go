package ec2

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// createTemplate creates template "web" with version 1 and returns its id.
func createTemplate(t *testing.T, w *world) string {
	t.Helper()
	var out *CreateLaunchTemplateOutput
	var err error
	w.do(func() {
		out, err = w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{
			LaunchTemplateName: "web",
			VersionDescription: "first",
			LaunchTemplateData: &RequestLaunchTemplateData{
				ImageId:      "ami-0aaaaaaaaaaaaaaaa",
				InstanceType: "m5.large",
				UserData:     b64("#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config\n"),
				TagSpecifications: []LaunchTemplateTagSpecification{
					{ResourceType: "instance", Tags: []Tag{{"team", "web"}, {"Name", "from-template"}}},
					{ResourceType: "volume", Tags: []Tag{{"ignored", "yes"}}},
				},
			},
			TagSpecifications: []TagSpecification{{ResourceType: "launch-template", Tags: []Tag{{"owner", "ops"}}}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	lt := out.LaunchTemplate
	if !regexp.MustCompile(`^lt-[0-9a-f]{17}$`).MatchString(lt.LaunchTemplateId) ||
		lt.DefaultVersionNumber != 1 || lt.LatestVersionNumber != 1 || lt.LaunchTemplateName != "web" ||
		len(lt.Tags) != 1 || lt.Tags[0] != (Tag{"owner", "ops"}) || !lt.CreateTime.Equal(epoch) {
		t.Fatalf("created template = %+v", lt)
	}
	return lt.LaunchTemplateId
}

func TestLaunchTemplateVersionsDecideWhatLaunches(t *testing.T) {
	w := newWorld(t, Options{})
	id := createTemplate(t, w)
	w.do(func() {
		// Version 2: Spot c5.large, inheriting image, user data and tags from 1.
		_, err := w.svc.CreateLaunchTemplateVersion(CreateLaunchTemplateVersionInput{
			LaunchTemplateName: "web", SourceVersion: "1", VersionDescription: "spot",
			LaunchTemplateData: &RequestLaunchTemplateData{InstanceType: "c5.large",
				InstanceMarketOptions: &LaunchTemplateInstanceMarketOptions{MarketType: "spot"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		// Version 3: from scratch, only an image and a type.
		out, err := w.svc.CreateLaunchTemplateVersion(CreateLaunchTemplateVersionInput{
			LaunchTemplateId:   id,
			LaunchTemplateData: &RequestLaunchTemplateData{ImageId: "ami-0bbbbbbbbbbbbbbbb", InstanceType: "r5.large"},
		})
		if err != nil || out.LaunchTemplateVersion.VersionNumber != 3 || out.LaunchTemplateVersion.DefaultVersion {
			t.Fatalf("version 3: %v %+v", err, out)
		}
	})
	launch := func(version, typ string) *Instance {
		return w.launch(LaunchSpec{LaunchTemplateID: id, Version: version, InstanceType: typ, AZ: "us-east-1c",
			Tags: []Tag{{"Name", "from-asg"}}})
	}
	for _, tc := range []struct {
		version, override string
		wantVersion       string
		wantType, wantAMI string
		wantSpot          bool
		wantUserData      bool
	}{
		{"", "", "1", "m5.large", "ami-0aaaaaaaaaaaaaaaa", false, true},
		{"$Default", "", "1", "m5.large", "ami-0aaaaaaaaaaaaaaaa", false, true},
		{"2", "", "2", "c5.large", "ami-0aaaaaaaaaaaaaaaa", true, true},
		{"$Latest", "", "3", "r5.large", "ami-0bbbbbbbbbbbbbbbb", false, false},
		{"$Latest", "t3.micro", "3", "t3.micro", "ami-0bbbbbbbbbbbbbbbb", false, false},
	} {
		t.Run(tc.version+"/"+tc.override, func(t *testing.T) {
			inst := launch(tc.version, tc.override)
			if inst.LaunchTemplateVersion != tc.wantVersion || inst.InstanceType != tc.wantType ||
				inst.ImageID != tc.wantAMI || inst.Spot != tc.wantSpot || inst.LaunchTemplateID != id {
				t.Fatalf("launched %+v", inst)
			}
			if got := strings.Contains(inst.UserData, "ECS_CLUSTER=web"); got != tc.wantUserData {
				t.Fatalf("user data %q", inst.UserData)
			}
			if v, _ := inst.Tag("aws:ec2launchtemplate:version"); v != tc.wantVersion {
				t.Fatalf("template version tag = %q", v)
			}
			if v, _ := inst.Tag("Name"); v != "from-asg" {
				t.Fatalf("launch tags must override template tags: Name=%q", v)
			}
			if _, ok := inst.Tag("ignored"); ok {
				t.Fatal("volume tags applied to the instance")
			}
		})
	}

	// Make version 2 the default: an unversioned launch now takes it.
	w.do(func() {
		out, err := w.svc.ModifyLaunchTemplate(ModifyLaunchTemplateInput{LaunchTemplateName: "web", DefaultVersion: "2"})
		if err != nil || out.LaunchTemplate.DefaultVersionNumber != 2 || out.LaunchTemplate.LatestVersionNumber != 3 {
			t.Fatalf("modify: %v %+v", err, out)
		}
	})
	if inst := launch("", ""); inst.LaunchTemplateVersion != "2" || !inst.Spot {
		t.Fatalf("after ModifyLaunchTemplate launched %+v", inst)
	}
	// Forcing on-demand over a Spot template.
	if inst := w.launch(LaunchSpec{LaunchTemplateName: "web", AZ: "us-east-1a", Market: "on-demand"}); inst.Spot {
		t.Fatal("Market on-demand did not override the template")
	}
}

func TestDescribeLaunchTemplateVersions(t *testing.T) {
	w := newWorld(t, Options{})
	id := createTemplate(t, w)
	w.do(func() {
		for _, typ := range []string{"c5.large", "c5.xlarge"} {
			if _, err := w.svc.CreateLaunchTemplateVersion(CreateLaunchTemplateVersionInput{LaunchTemplateId: id, SourceVersion: "$Latest",
				LaunchTemplateData: &RequestLaunchTemplateData{InstanceType: typ}}); err != nil {
				t.Fatal(err)
			}
		}
	})
	describe := func(in DescribeLaunchTemplateVersionsInput) (string, string) {
		var out *DescribeLaunchTemplateVersionsOutput
		var err error
		w.do(func() { out, err = w.svc.DescribeLaunchTemplateVersions(in) })
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		var got []string
		for _, v := range out.LaunchTemplateVersions {
			s := fmt.Sprintf("%d:%s", v.VersionNumber, v.LaunchTemplateData.InstanceType)
			if v.DefaultVersion {
				s += "*"
			}
			got = append(got, s)
		}
		return strings.Join(got, " "), out.NextToken
	}
	for _, tc := range []struct {
		in   DescribeLaunchTemplateVersionsInput
		want string
	}{
		{DescribeLaunchTemplateVersionsInput{LaunchTemplateName: "web"}, "1:m5.large* 2:c5.large 3:c5.xlarge"},
		{DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, Versions: []string{"$Latest", "$Default"}}, "1:m5.large* 3:c5.xlarge"},
		{DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, Versions: []string{"2"}}, "2:c5.large"},
		{DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, MinVersion: "2"}, "2:c5.large 3:c5.xlarge"},
		{DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, MaxVersion: "1"}, "1:m5.large*"},
	} {
		if got, _ := describe(tc.in); got != tc.want {
			t.Errorf("%+v = %q, want %q", tc.in, got, tc.want)
		}
	}
	first, tok := describe(DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, MaxResults: i32(2)})
	rest, tok2 := describe(DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, MaxResults: i32(2), NextToken: tok})
	if first != "1:m5.large* 2:c5.large" || tok == "" || rest != "3:c5.xlarge" || tok2 != "" {
		t.Fatalf("pages %q (%q), %q (%q)", first, tok, rest, tok2)
	}
	// Version 2 inherited user data from version 1 through SourceVersion.
	w.do(func() {
		out, _ := w.svc.DescribeLaunchTemplateVersions(DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, Versions: []string{"2"}})
		if d := out.LaunchTemplateVersions[0].LaunchTemplateData; d.UserData == "" || d.ImageId != "ami-0aaaaaaaaaaaaaaaa" {
			t.Fatalf("version 2 data = %+v", d)
		}
	})
}

func TestDescribeLaunchTemplates(t *testing.T) {
	w := newWorld(t, Options{})
	id := createTemplate(t, w)
	w.do(func() {
		for _, n := range []string{"api", "worker"} {
			if _, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateName: n,
				LaunchTemplateData: &RequestLaunchTemplateData{ImageId: "ami-0aaaaaaaaaaaaaaaa"}}); err != nil {
				t.Fatal(err)
			}
		}
	})
	names := func(in DescribeLaunchTemplatesInput) string {
		var out *DescribeLaunchTemplatesOutput
		var err error
		w.do(func() { out, err = w.svc.DescribeLaunchTemplates(in) })
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		var got []string
		for _, lt := range out.LaunchTemplates {
			got = append(got, lt.LaunchTemplateName)
		}
		return strings.Join(got, " ")
	}
	for _, tc := range []struct {
		in   DescribeLaunchTemplatesInput
		want string
	}{
		{DescribeLaunchTemplatesInput{}, "web api worker"},
		{DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}}, "web"},
		{DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"worker", "api"}}, "api worker"},
		{DescribeLaunchTemplatesInput{Filters: []Filter{{"launch-template-name", []string{"w*"}}}}, "web worker"},
		{DescribeLaunchTemplatesInput{Filters: []Filter{{"tag:owner", []string{"ops"}}}}, "web"},
		{DescribeLaunchTemplatesInput{MaxResults: i32(2)}, "web api"},
	} {
		if got := names(tc.in); got != tc.want {
			t.Errorf("%+v = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLaunchTemplateErrors(t *testing.T) {
	w := newWorld(t, Options{})
	id := createTemplate(t, w)
	data := &RequestLaunchTemplateData{ImageId: "ami-0aaaaaaaaaaaaaaaa"}
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"duplicate name", func() error {
			_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateName: "web", LaunchTemplateData: data})
			return err
		}, "InvalidLaunchTemplateName.AlreadyExistsException"},
		{"name too short", func() error {
			_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateName: "ab", LaunchTemplateData: data})
			return err
		}, "InvalidLaunchTemplateName.MalformedException"},
		{"name with a space", func() error {
			_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateName: "my template", LaunchTemplateData: data})
			return err
		}, "InvalidLaunchTemplateName.MalformedException"},
		{"name too long", func() error {
			_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateName: strings.Repeat("a", 129), LaunchTemplateData: data})
			return err
		}, "InvalidLaunchTemplateName.MalformedException"},
		{"no name", func() error {
			_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateData: data})
			return err
		}, "MissingParameter"},
		{"no data", func() error {
			_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateName: "other"})
			return err
		}, "MissingParameter"},
		{"bad base64", func() error {
			_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateName: "other",
				LaunchTemplateData: &RequestLaunchTemplateData{UserData: "not base64!"}})
			return err
		}, "InvalidUserData.Malformed"},
		{"bad market type", func() error {
			_, err := w.svc.CreateLaunchTemplate(CreateLaunchTemplateInput{LaunchTemplateName: "other",
				LaunchTemplateData: &RequestLaunchTemplateData{InstanceMarketOptions: &LaunchTemplateInstanceMarketOptions{MarketType: "cheap"}}})
			return err
		}, "InvalidParameterValue"},
		{"version of unknown template", func() error {
			_, err := w.svc.CreateLaunchTemplateVersion(CreateLaunchTemplateVersionInput{LaunchTemplateName: "nope", LaunchTemplateData: data})
			return err
		}, "InvalidLaunchTemplateName.NotFoundException"},
		{"version with bad base64", func() error {
			_, err := w.svc.CreateLaunchTemplateVersion(CreateLaunchTemplateVersionInput{LaunchTemplateId: id,
				LaunchTemplateData: &RequestLaunchTemplateData{UserData: "%%%"}})
			return err
		}, "InvalidUserData.Malformed"},
		{"version from missing source", func() error {
			_, err := w.svc.CreateLaunchTemplateVersion(CreateLaunchTemplateVersionInput{LaunchTemplateId: id, SourceVersion: "9", LaunchTemplateData: data})
			return err
		}, "InvalidLaunchTemplateId.VersionNotFound"},
		{"version without template", func() error {
			_, err := w.svc.CreateLaunchTemplateVersion(CreateLaunchTemplateVersionInput{LaunchTemplateData: data})
			return err
		}, "MissingParameter"},
		{"id and name together", func() error {
			_, err := w.svc.ModifyLaunchTemplate(ModifyLaunchTemplateInput{LaunchTemplateId: id, LaunchTemplateName: "web", DefaultVersion: "1"})
			return err
		}, "InvalidParameterCombination"},
		{"default to missing version", func() error {
			_, err := w.svc.ModifyLaunchTemplate(ModifyLaunchTemplateInput{LaunchTemplateId: id, DefaultVersion: "4"})
			return err
		}, "InvalidLaunchTemplateId.VersionNotFound"},
		{"describe unknown id", func() error {
			_, err := w.svc.DescribeLaunchTemplates(DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{"lt-0123456789abcdef0"}})
			return err
		}, "InvalidLaunchTemplateId.NotFound"},
		{"describe unknown name", func() error {
			_, err := w.svc.DescribeLaunchTemplates(DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"nope"}})
			return err
		}, "InvalidLaunchTemplateName.NotFoundException"},
		{"describe bad filter", func() error {
			_, err := w.svc.DescribeLaunchTemplates(DescribeLaunchTemplatesInput{Filters: []Filter{{"colour", []string{"red"}}}})
			return err
		}, "InvalidParameterValue"},
		{"describe max results", func() error {
			_, err := w.svc.DescribeLaunchTemplates(DescribeLaunchTemplatesInput{MaxResults: i32(201)})
			return err
		}, "InvalidParameterValue"},
		{"versions of missing version", func() error {
			_, err := w.svc.DescribeLaunchTemplateVersions(DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, Versions: []string{"latest"}})
			return err
		}, "InvalidLaunchTemplateId.VersionNotFound"},
		{"versions bad token", func() error {
			_, err := w.svc.DescribeLaunchTemplateVersions(DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, NextToken: "garbage"})
			return err
		}, "InvalidPaginationToken"},
		{"versions bad bound", func() error {
			_, err := w.svc.DescribeLaunchTemplateVersions(DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, MinVersion: "one"})
			return err
		}, "InvalidParameterValue"},
		{"versions max results", func() error {
			_, err := w.svc.DescribeLaunchTemplateVersions(DescribeLaunchTemplateVersionsInput{LaunchTemplateId: id, MaxResults: i32(0)})
			return err
		}, "InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			w.do(func() { err = tc.call() })
			wantCode(t, err, tc.code)
		})
	}
	w.do(func() {
		out, _ := w.svc.DescribeLaunchTemplates(DescribeLaunchTemplatesInput{})
		if len(out.LaunchTemplates) != 1 || out.LaunchTemplates[0].LatestVersionNumber != 1 {
			t.Fatalf("failed calls changed the templates: %+v", out.LaunchTemplates)
		}
	})
}
