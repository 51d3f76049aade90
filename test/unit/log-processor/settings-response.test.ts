import { readSettings } from "../../../functions/log-processor/settings";
import { batchItemFailures } from "../../../functions/log-processor/response";
import { resolveThreshold } from "../../../functions/log-processor/decide";

const base = {
  TABLE_NAME: "logs",
  SAGEMAKER_ENDPOINT_NAME: "rcf",
  DEAD_LETTER_BUCKET: "dlq",
  DEAD_LETTER_PREFIX: "dead-letter/",
  SCORE_THRESHOLD: "3.5",
  MAX_RECORD_BYTES: "65536",
  TTL_DAYS: "30",
};

describe("readSettings", () => {
  it("reads the Lambda environment and the local overrides", () => {
    expect(readSettings({ ...base, DYNAMODB_ENDPOINT_URL: "http://127.0.0.1:8000", REPORT_BATCH_ITEM_FAILURES: "true" })).toEqual({
      tableName: "logs",
      endpointName: "rcf",
      deadLetterBucket: "dlq",
      deadLetterPrefix: "dead-letter/",
      threshold: 3.5,
      maxRecordBytes: 65536,
      ttlDays: 30,
      reportBatchItemFailures: true,
      dynamodbEndpointUrl: "http://127.0.0.1:8000",
      sagemakerEndpointUrl: undefined,
      s3EndpointUrl: undefined,
    });
  });
  it.each([
    [{ TABLE_NAME: "" }, /TABLE_NAME: must be set/],
    [{ MAX_RECORD_BYTES: "12.5" }, /MAX_RECORD_BYTES/],
    [{ TTL_DAYS: "0" }, /TTL_DAYS/],
    [{ SCORE_THRESHOLD: "abc" }, /SCORE_THRESHOLD/],
    [{ SCORE_THRESHOLD: "0" }, /SCORE_MEAN: must be set/],
    [{ S3_ENDPOINT_URL: "ftp://x" }, /S3_ENDPOINT_URL/],
    [{ REPORT_BATCH_ITEM_FAILURES: "yes" }, /REPORT_BATCH_ITEM_FAILURES/],
  ])("names the bad variable %j", (override, message) => {
    expect(() => readSettings({ ...base, ...override })).toThrow(message);
  });
  it("derives the threshold from the model's score statistics when it is 0", () => {
    expect(readSettings({ ...base, SCORE_THRESHOLD: "0", SCORE_MEAN: "1", SCORE_STDDEV: "0.5", SCORE_THRESHOLD_SIGMAS: "4" }).threshold).toBe(3);
    expect(resolveThreshold(0, 3, { mean: 2, stddev: 1 })).toBe(5);
    expect(resolveThreshold(7, 3, { mean: 2, stddev: 1 })).toBe(7);
  });
});

describe("batchItemFailures", () => {
  it("names each topic-partition with its lowest failed offset", () => {
    expect(
      batchItemFailures([
        { topic: "app-logs", partition: 1, offset: "40", stage: "storage", error: "x" },
        { topic: "app-logs", partition: 0, offset: "12", stage: "scoring", error: "x" },
        { topic: "app-logs", partition: 1, offset: "17", stage: "storage", error: "x" },
      ]),
    ).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: "app-logs-0", offset: 12 } }, { itemIdentifier: { partition: "app-logs-1", offset: 17 } }],
    });
    expect(batchItemFailures([])).toEqual({ batchItemFailures: [] });
  });
});
