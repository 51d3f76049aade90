import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";

export interface ProducerRepositoryProps {
  /** Repository name, e.g. "logpipe-dev/producer". */
  readonly name: string;
  /** KMS key that encrypts the images. */
  readonly keyArn: string;
  /**
   * How many tagged images to keep; older ones expire.
   * @default 20
   */
  readonly keepImages?: number;
  /**
   * Days after which untagged images (build leftovers) expire.
   * @default 7
   */
  readonly untaggedDays?: number;
}

/** ECR repository for the producer image: immutable tags, scan on push, KMS, bounded history. */
export class ProducerRepository extends Construct {
  readonly repository: EcrRepository;
  readonly repositoryUrl: string;
  readonly repositoryArn: string;

  constructor(scope: Construct, id: string, props: ProducerRepositoryProps) {
    super(scope, id);
    this.repository = new EcrRepository(this, "repository", {
      name: props.name,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.keyArn }],
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          { rulePriority: 1, description: "expire untagged images", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: props.untaggedDays ?? 7 }, action: { type: "expire" } },
          { rulePriority: 2, description: "keep the newest tagged images", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: props.keepImages ?? 20 }, action: { type: "expire" } },
        ],
      }),
    });
    this.repositoryUrl = this.repository.repositoryUrl;
    this.repositoryArn = this.repository.arn;
  }
}
