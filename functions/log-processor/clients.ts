/**
 * AWS clients, created once per container (outside the handler) so connections are reused.
 * SDK-level retries are off (maxAttempts 1): the handler's own retry budget decides, so retries
 * are counted and bounded by the invocation's remaining time. Endpoints are overridable for local
 * runs (the local model server, a local DynamoDB, a local S3).
 */
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { ProcessorSettings } from "./settings";

export interface ProcessorClients {
  readonly sagemaker: SageMakerRuntimeClient;
  readonly dynamodb: DynamoDBDocumentClient;
  readonly s3: S3Client;
}

export function createClients(s: ProcessorSettings, env: NodeJS.ProcessEnv = process.env): ProcessorClients {
  const local = Boolean(s.sagemakerEndpointUrl || s.dynamodbEndpointUrl || s.s3EndpointUrl);
  const common = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? "us-east-1" : undefined),
    maxAttempts: 1,
    // Local emulators accept any signature; a real account never runs with overrides.
    ...(local && !env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  };
  const sagemaker = new SageMakerRuntimeClient({ ...common, endpoint: s.sagemakerEndpointUrl });
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: s.dynamodbEndpointUrl }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client({ ...common, endpoint: s.s3EndpointUrl, forcePathStyle: Boolean(s.s3EndpointUrl) });
  return { sagemaker, dynamodb, s3 };
}
