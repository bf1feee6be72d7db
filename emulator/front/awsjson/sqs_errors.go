package awsjson

// queryCodes maps SQS's JSON error codes (the modelled shape names) to the
// codes its awsQuery protocol used (the @awsQueryError trait of each shape
// in the SQS model, as in the SDK's service/sqs/schemas). Codes not listed
// are the same in both protocols.
var queryCodes = map[string]string{
	"BatchEntryIdsNotDistinct":     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
	"BatchRequestTooLong":          "AWS.SimpleQueueService.BatchRequestTooLong",
	"EmptyBatchRequest":            "AWS.SimpleQueueService.EmptyBatchRequest",
	"InvalidBatchEntryId":          "AWS.SimpleQueueService.InvalidBatchEntryId",
	"MessageNotInflight":           "AWS.SimpleQueueService.MessageNotInflight",
	"PurgeQueueInProgress":         "AWS.SimpleQueueService.PurgeQueueInProgress",
	"QueueDeletedRecently":         "AWS.SimpleQueueService.QueueDeletedRecently",
	"QueueDoesNotExist":            "AWS.SimpleQueueService.NonExistentQueue",
	"QueueNameExists":              "QueueAlreadyExists",
	"TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
	"UnsupportedOperation":         "AWS.SimpleQueueService.UnsupportedOperation",
	"KmsAccessDenied":              "KMS.AccessDeniedException",
	"KmsDisabled":                  "KMS.DisabledException",
	"KmsInvalidKeyUsage":           "KMS.InvalidKeyUsageException",
	"KmsInvalidState":              "KMS.InvalidStateException",
	"KmsNotFound":                  "KMS.NotFoundException",
	"KmsOptInRequired":             "KMS.OptInRequired",
	"KmsThrottled":                 "KMS.ThrottlingException",
}

// queryCode is the awsQuery error code for a JSON error code.
func queryCode(code string) string {
	if q, ok := queryCodes[code]; ok {
		return q
	}
	return code
}
