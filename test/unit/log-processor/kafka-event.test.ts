import { buildSelfManagedKafkaEvent, eventRecords, isSelfManagedKafkaEvent, type SelfManagedKafkaEvent } from "../../../lib/kafka-event";
import { decodeRecord } from "../../../functions/log-processor/decode";

// The example event of AWS's "Using Lambda with self-managed Apache Kafka" page, verbatim in shape.
const documentedExample = {
  eventSource: "SelfManagedKafka",
  bootstrapServers: "b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092,b-1.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092",
  records: {
    "mytopic-0": [
      {
        topic: "mytopic",
        partition: 0,
        offset: 15,
        timestamp: 1545084650987,
        timestampType: "CREATE_TIME",
        key: "abcDEFghiJKLmnoPQRstuVWXyz1234==",
        value: "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
        headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }],
      },
    ],
  },
} as const;

describe("self-managed Kafka event", () => {
  it("accepts the documented example and decodes its base64 value and byte-array headers", () => {
    const event: SelfManagedKafkaEvent = documentedExample;
    expect(isSelfManagedKafkaEvent(event)).toBe(true);
    const [r] = eventRecords(event).map(decodeRecord);
    expect(r.raw.toString("utf8")).toBe("Hello, this is a test.");
    expect(r.headers).toEqual({ headerKey: "headerValue" });
    expect(r).toMatchObject({ topic: "mytopic", partition: 0, offset: "15", kafkaTimestamp: 1545084650987 });
  });

  it("rejects events of other sources", () => {
    expect(isSelfManagedKafkaEvent({ eventSource: "aws:kafka", records: {} })).toBe(false);
    expect(isSelfManagedKafkaEvent({ Records: [] })).toBe(false);
    expect(isSelfManagedKafkaEvent(null)).toBe(false);
  });

  it("builds exactly the documented shape from client records", () => {
    const event = buildSelfManagedKafkaEvent(
      [
        { topic: "mytopic", partition: 0, offset: "16", timestamp: "1545084650990", key: Buffer.from("k2"), value: Buffer.from("second"), headers: {} },
        { topic: "mytopic", partition: 0, offset: "15", timestamp: "1545084650987", key: null, value: Buffer.from("Hello, this is a test."), headers: { headerKey: Buffer.from("headerValue") } },
        { topic: "other", partition: 3, offset: 7n, timestamp: 1, value: null, headers: { a: ["x", "y"] } },
      ],
      ["b-1:9092", "b-2:9092"],
    );
    expect(event).toEqual({
      eventSource: "SelfManagedKafka",
      bootstrapServers: "b-1:9092,b-2:9092",
      records: {
        "mytopic-0": [
          {
            topic: "mytopic",
            partition: 0,
            offset: 15,
            timestamp: 1545084650987,
            timestampType: "CREATE_TIME",
            value: "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
            headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }],
          },
          { topic: "mytopic", partition: 0, offset: 16, timestamp: 1545084650990, timestampType: "CREATE_TIME", key: "azI=", value: "c2Vjb25k", headers: [] },
        ],
        "other-3": [{ topic: "other", partition: 3, offset: 7, timestamp: 1, timestampType: "CREATE_TIME", headers: [{ a: [120] }, { a: [121] }] }],
      },
    });
    // JSON round trip (what Lambda actually delivers) keeps it a valid event.
    expect(isSelfManagedKafkaEvent(JSON.parse(JSON.stringify(event)))).toBe(true);
  });

  it("refuses offsets it cannot represent exactly", () => {
    expect(() => buildSelfManagedKafkaEvent([{ topic: "t", partition: 0, offset: "9007199254740993", timestamp: 0, value: null }], "b:9092")).toThrow(/offset/);
  });
});
