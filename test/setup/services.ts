/**
 * Registry of the real services integration tests need. Each entry installs (cached) and starts
 * one service on a free loopback port, publishes how to reach it through environment variables
 * (inherited by test workers), and returns a stop function. Global setup starts them all in
 * order; global teardown stops them in reverse.
 */
import { dynamoDbLocalService } from "../../lib/dynamodb-local";
import { kafkaLocalService } from "../../lib/kafka-local";

export interface StartedService {
  readonly name: string;
  stop(): Promise<void>;
}

export interface ServiceDefinition {
  readonly name: string;
  start(): Promise<StartedService>;
}

// Each issue adds its service here (local DynamoDB, Kafka, the RCF model server).
export const SERVICES: ServiceDefinition[] = [
  dynamoDbLocalService,
  kafkaLocalService,
];
