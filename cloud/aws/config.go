package aws

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// LoadConfig loads the SDK's standard configuration (credential chain,
// shared profiles, AWS_REGION, AWS_ENDPOINT_URL…), region overriding the
// configured one when set, and checks that it has a region and that its
// credentials can be retrieved: without them every call would fail later,
// less clearly.
func LoadConfig(ctx context.Context, region string) (aws.Config, error) {
	var load []func(*config.LoadOptions) error
	if region != "" {
		load = append(load, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return cfg, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return cfg, errors.New("no AWS region: set --region or AWS_REGION (us-east-1 will do for 'drainer emulator')")
	}
	const what = "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values will do for 'drainer emulator'), or AWS_PROFILE, or run where an instance or task role provides them"
	if cfg.Credentials == nil {
		return cfg, errors.New(what)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return cfg, fmt.Errorf("%s (%v)", what, err)
	}
	return cfg, nil
}
