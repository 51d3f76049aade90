/**
 * The one place Powertools is set up: structured logs, CloudWatch metrics (EMF) and X-Ray
 * tracing. Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_METRICS_NAMESPACE, which the Lambda construct sets.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();
