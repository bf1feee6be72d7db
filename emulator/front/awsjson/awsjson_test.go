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

// post runs one request through awsjson.Serve.
func post(w *emulator.World, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", target)
	rec := httptest.NewRecorder()
	awsjson.Serve(w, "test", rec, r)
	return rec
}

// TestWireAnswers checks status, headers and body of answers on the wire.
func TestWireAnswers(t *testing.T) {
	w := emulator.New(emulator.Config{})
	post(w, "AmazonSQS.CreateQueue", `{"QueueName":"q"}`)
	tests := []struct {
		name, target, body string
		status             int
		contentType        string
		errorType          string // X-Amzn-ErrorType
		bodyType           string // __type
		queryError         string // X-Amzn-Query-Error
		contains           string
	}{
		{"ecs ok, empty body is {}", "AmazonEC2ContainerServiceV20141113.ListClusters", "", 200, "application/x-amz-json-1.1", "", "", "", `"clusterArns":[]`},
		{"ecs modelled error", "AmazonEC2ContainerServiceV20141113.ListServices", `{"cluster":"nope"}`, 400, "application/x-amz-json-1.1",
			"ClusterNotFoundException", "ClusterNotFoundException", "", "Cluster not found."},
		{"body not JSON", "AmazonEC2ContainerServiceV20141113.ListClusters", `{"maxResults":`, 400, "application/x-amz-json-1.1",
			"SerializationException", "SerializationException", "", ""},
		{"body not an object", "AWSEvents.ListRules", `[1,2]`, 400, "application/x-amz-json-1.1",
			"SerializationException", "SerializationException", "", ""},
		{"member of the wrong type", "AmazonEC2ContainerServiceV20141113.ListClusters", `{"maxResults":"ten"}`, 400, "application/x-amz-json-1.1",
			"SerializationException", "SerializationException", "", "maxResults"},
		{"unknown operation", "AmazonEC2ContainerServiceV20141113.LaunchRockets", `{}`, 400, "application/x-amz-json-1.1",
			"UnknownOperationException", "UnknownOperationException", "", ""},
		{"unknown target prefix", "DynamoDB_20120810.ListTables", `{}`, 400, "application/x-amz-json-1.1",
			"UnknownOperationException", "UnknownOperationException", "", ""},
		{"target without operation", "AmazonSQS", `{}`, 400, "application/x-amz-json-1.0",
			"com.amazonaws.sqs#UnknownOperationException", "com.amazonaws.sqs#UnknownOperationException", "UnknownOperationException;Sender", ""},
		{"sqs ok", "AmazonSQS.ListQueues", `{}`, 200, "application/x-amz-json-1.0", "", "", "", `"QueueUrls":[`},
		{"sqs modelled error is namespaced, with its query code", "AmazonSQS.GetQueueUrl", `{"QueueName":"gone"}`, 400, "application/x-amz-json-1.0",
			"com.amazonaws.sqs#QueueDoesNotExist", "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender", "does not exist"},
		{"sqs common error", "AmazonSQS.ReceiveMessage", `{"QueueUrl":"` + queueURL(w) + `","WaitTimeSeconds":99}`, 400, "application/x-amz-json-1.0",
			"com.amazonaws.sqs#InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue;Sender", ""},
		{"sqs explicit MaxNumberOfMessages 0", "AmazonSQS.ReceiveMessage", `{"QueueUrl":"` + queueURL(w) + `","MaxNumberOfMessages":0}`, 400, "application/x-amz-json-1.0",
			"com.amazonaws.sqs#InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue;Sender",
			"Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."},
		{"eventbridge error", "AWSEvents.DescribeRule", `{"Name":"none"}`, 400, "application/x-amz-json-1.1",
			"ResourceNotFoundException", "ResourceNotFoundException", "", "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := post(w, tt.target, tt.body)
			h := rec.Header()
			if rec.Code != tt.status || h.Get("Content-Type") != tt.contentType || h.Get("X-Amzn-ErrorType") != tt.errorType ||
				h.Get("X-Amzn-Query-Error") != tt.queryError || !strings.Contains(rec.Body.String(), tt.contains) {
				t.Fatalf("got %d %v %s", rec.Code, h, rec.Body)
			}
			if tt.bodyType != "" {
				var e struct {
					Type    string `json:"__type"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Type != tt.bodyType || e.Message == "" {
					t.Fatalf("error body %s (%v), want __type %s and a message", rec.Body, err, tt.bodyType)
				}
			}
		})
	}
}

func queueURL(w *emulator.World) string {
	var url string
	w.Do(func() { url = w.SQS.QueueURLs()[0] })
	return url
}

// TestEveryOperationListed checks the operations the brief requires are
// served.
func TestEveryOperationListed(t *testing.T) {
	want := map[string]string{
		"AmazonEC2ContainerServiceV20141113": "CreateCluster DescribeClusters ListClusters RegisterTaskDefinition DescribeTaskDefinition CreateService UpdateService DeleteService DescribeServices ListServices RunTask StartTask StopTask ListTasks DescribeTasks ListContainerInstances DescribeContainerInstances UpdateContainerInstancesState DeregisterContainerInstance PutAttributes DeleteAttributes ListAttributes CreateCapacityProvider DescribeCapacityProviders PutClusterCapacityProviders",
		"AmazonSQS":                          "CreateQueue GetQueueUrl GetQueueAttributes SetQueueAttributes ListQueues DeleteQueue SendMessage SendMessageBatch ReceiveMessage DeleteMessage DeleteMessageBatch ChangeMessageVisibility PurgeQueue ListQueueTags",
		"AWSEvents":                          "PutRule DescribeRule PutTargets ListRules ListTargetsByRule RemoveTargets DeleteRule PutEvents ListTagsForResource",
	}
	for target, ops := range want {
		served := map[string]bool{}
		for _, op := range awsjson.Operations(target) {
			served[op] = true
		}
		for _, op := range strings.Fields(ops) {
			if !served[op] {
				t.Errorf("%s.%s is not served", target, op)
			}
		}
	}
}
