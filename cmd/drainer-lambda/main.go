// Command drainer-lambda is drainer as an AWS Lambda function, for the
// provided.al2023 runtime, which runs an executable named bootstrap:
//
//	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/drainer-lambda
//
// (https://docs.aws.amazon.com/lambda/latest/dg/golang-package.html). The
// function is invoked by its queue's SQS event source, with partial batch
// responses (ReportBatchItemFailures), and by a scheduled EventBridge rule
// every minute; package lambdafn says what each invocation does.
//
// It is configured by the environment: drainer's settings as `drainer
// run` reads them (DRAINER_CLUSTERS, DRAINER_HOOKS, …), DRAINER_EVENT_BUS,
// DRAINER_KEEP_MALFORMED, DRAINER_SCHEDULE_PERIOD and DRAINER_TAKEUP_GRACE
// (lambdafn.FromEnv); the region and credentials Lambda gives it
// (AWS_REGION and the execution role's), and AWS_ENDPOINT_URL to point it
// at `drainer emulator`. It logs JSON lines at AWS_LAMBDA_LOG_LEVEL.
package main

import (
	"cmp"
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	cloudaws "github.com/drainer-dev/drainer/cloud/aws"
	"github.com/drainer-dev/drainer/lambdafn"
)

func main() {
	log := lambdafn.Logger(os.Stderr, os.Getenv(lambdafn.EnvLogLevel))
	f, err := setup(context.Background(), os.LookupEnv, log)
	if err != nil {
		// Lambda reports the failed init and tries a fresh environment.
		log.Error("drainer cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(f.Handle)
}

// setup builds the function from its environment, read through lookup,
// and the SDK's standard configuration.
func setup(ctx context.Context, lookup func(string) (string, bool), log *slog.Logger) (*lambdafn.Function, error) {
	opts, err := lambdafn.FromEnv(lookup)
	if err != nil {
		return nil, err
	}
	cfg, err := cloudaws.LoadConfig(ctx, "")
	if err != nil {
		return nil, err
	}
	opts.Drainer.AWS, opts.Drainer.Logger = cfg, log
	log.Info("drainer starting as a Lambda function", append([]any{"region", cfg.Region, "period", cmp.Or(opts.Period, lambdafn.DefaultPeriod).String(), "takeUpGrace", cmp.Or(opts.TakeUpGrace, lambdafn.DefaultTakeUpGrace).String()}, opts.Drainer.Settings.LogAttrs()...)...)
	return lambdafn.New(opts)
}
