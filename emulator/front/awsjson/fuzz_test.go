package awsjson_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/front/awsjson"
)

// FuzzServe sends any body to any target: the answer must always be a
// well-formed AWS JSON answer (a JSON object; on error a 4xx/5xx with
// __type, message and X-Amzn-ErrorType), never a panic or a hang. Long
// polls cannot hang: the world's clock is discrete and nothing moves it, so
// ReceiveMessage waits are cut short by the request's context, which the
// test cancels up front.
func FuzzServe(f *testing.F) {
	seeds := []struct{ target, body string }{
		{"AmazonEC2ContainerServiceV20141113.CreateCluster", `{"clusterName":"c"}`},
		{"AmazonEC2ContainerServiceV20141113.ListClusters", `{"maxResults":1,"nextToken":"o1"}`},
		{"AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition", `{"family":"web","containerDefinitions":[{"name":"web","image":"nginx","memory":256,"dockerLabels":{"emulator.start":"5s"}}]}`},
		{"AmazonEC2ContainerServiceV20141113.CreateService", `{"cluster":"c","serviceName":"s","taskDefinition":"web","desiredCount":2,"deploymentConfiguration":{"maximumPercent":200,"minimumHealthyPercent":50}}`},
		{"AmazonEC2ContainerServiceV20141113.RunTask", `{"cluster":"c","taskDefinition":"web","count":1}`},
		{"AmazonEC2ContainerServiceV20141113.ListContainerInstances", `{"cluster":"c","filter":"ec2InstanceId == i-0123"}`},
		{"AmazonEC2ContainerServiceV20141113.UpdateContainerInstancesState", `{"cluster":"c","containerInstances":["x"],"status":"DRAINING"}`},
		{"AmazonEC2ContainerServiceV20141113.PutAttributes", `{"cluster":"c","attributes":[{"name":"a","value":"b","targetId":"x"}]}`},
		{"AmazonEC2ContainerServiceV20141113.DescribeTasks", `{"cluster":"c","tasks":["t"],"include":["TAGS"]}`},
		{"AmazonSQS.CreateQueue", `{"QueueName":"q","Attributes":{"VisibilityTimeout":"30"}}`},
		{"AmazonSQS.SendMessage", `{"QueueUrl":"http://sqs.us-east-1.localhost/123456789012/q","MessageBody":"hi","MessageAttributes":{"k":{"DataType":"Binary","BinaryValue":"AAEC"}}}`},
		{"AmazonSQS.ReceiveMessage", `{"QueueUrl":"http://sqs.us-east-1.localhost/123456789012/q","WaitTimeSeconds":20,"MaxNumberOfMessages":10}`},
		{"AmazonSQS.DeleteMessageBatch", `{"QueueUrl":"q","Entries":[{"Id":"a","ReceiptHandle":"h"}]}`},
		{"AWSEvents.PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"drainer\"]}"}`},
		{"AWSEvents.PutTargets", `{"Rule":"r","Targets":[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:123456789012:q"}]}`},
		{"AWSEvents.PutEvents", `{"Entries":[{"Source":"drainer","DetailType":"d","Detail":"{}","Time":1700000000}]}`},
		{"AmazonSQS.ListQueues", `{"MaxResults":"x"}`},
		{"Nope.Nothing", `not json`},
		{"", ``},
		{"AmazonEC2ContainerServiceV20141113.ListClusters", `null`},
		{"AmazonEC2ContainerServiceV20141113.ListClusters", `{"maxResults":1e400}`},
	}
	for _, s := range seeds {
		f.Add(s.target, s.body)
	}
	w := emulator.New(emulator.Config{})
	f.Fuzz(func(t *testing.T, target, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", target)
		ctx, cancel := contextDone()
		defer cancel()
		r = r.WithContext(ctx)
		rec := httptest.NewRecorder()
		awsjson.Serve(w, "fuzz", rec, r)
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/x-amz-json-1.") {
			t.Fatalf("Content-Type %q", rec.Header().Get("Content-Type"))
		}
		var obj map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &obj); err != nil {
			t.Fatalf("answer %d is not a JSON object: %q", rec.Code, rec.Body)
		}
		switch {
		case rec.Code == http.StatusOK:
		case rec.Code >= 400 && rec.Code < 600:
			if _, ok := obj["__type"].(string); !ok || rec.Header().Get("X-Amzn-ErrorType") == "" {
				t.Fatalf("error answer without __type or X-Amzn-ErrorType: %d %v %s", rec.Code, rec.Header(), rec.Body)
			}
			if _, ok := obj["message"].(string); !ok {
				t.Fatalf("error answer without a message: %s", rec.Body)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}
