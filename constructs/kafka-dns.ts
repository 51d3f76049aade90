import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Construct } from "constructs";

export interface KafkaDnsProps {
  /** Zone name, e.g. kafka.logpipe.internal. */
  readonly zoneName: string;
  /** VPC the zone is visible in. */
  readonly vpcId: string;
  /** Names that will live in the zone (bootstrap and brokers); documented on the zone. */
  readonly recordNames: readonly string[];
}

/**
 * The Route53 private hosted zone for Kafka's deterministic names. External-DNS creates the
 * records from the Strimzi listener's Services; the Lambda event source mapping connects to
 * the bootstrap name. Terraform owns the zone, External-DNS owns the records (so `force_destroy`
 * lets a destroy remove records it left behind).
 */
export class KafkaDns extends Construct {
  readonly zone: Route53Zone;
  readonly zoneId: string;
  readonly zoneArn: string;
  readonly zoneName: string;

  constructor(scope: Construct, id: string, props: KafkaDnsProps) {
    super(scope, id);
    this.zone = new Route53Zone(this, "zone", {
      name: props.zoneName,
      comment: `Kafka names filled by External-DNS: ${props.recordNames.join(", ")}`,
      vpc: [{ vpcId: props.vpcId }],
      forceDestroy: true,
    });
    this.zoneId = this.zone.zoneId;
    this.zoneArn = this.zone.arn;
    this.zoneName = props.zoneName;
  }
}
