import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Stateful } from "../../lib/stateful";
import { PLATFORM, stackName } from "../names";

export interface ImageRepositoryArgs {
    /** Encrypts the images at rest (the platform key). */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * Images kept; older ones expire.
     * @default 30
     */
    keepImages?: number;
    /** Protected repositories (prod) survive `pulumi destroy` and refuse replacement; others are deleted with their images. */
    stateful: Stateful;
}

/** The ECR repository name of a service: `platform/<stack>/<service>`. */
export function repositoryName(service: string, stack: string = stackName()): string {
    return `${PLATFORM}/${stack}/${service}`;
}

/**
 * One service's ECR repository: immutable tags (a tag names one image forever, so a deploy is
 * reproducible), a scan on every push, KMS encryption with the platform key, and a lifecycle
 * policy that keeps the last `keepImages` images.
 */
export class ImageRepository extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly repositoryName: pulumi.Output<string>;

    constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:containers:ImageRepository", name, {}, opts);
        const protect = args.stateful.protect;
        const repo = new aws.ecr.Repository(
            name,
            {
                name: repositoryName(name),
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                // Unprotected stacks may be destroyed with their images; protected ones keep them.
                forceDelete: !protect,
            },
            { parent: this, protect },
        );
        const keep = args.keepImages ?? 30;
        new aws.ecr.LifecyclePolicy(
            `${name}-lifecycle`,
            {
                repository: repo.name,
                policy: JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            description: `Keep the last ${keep} images`,
                            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
                            action: { type: "expire" },
                        },
                    ],
                }),
            },
            { parent: this },
        );
        this.arn = repo.arn;
        this.url = repo.repositoryUrl;
        this.repositoryName = repo.name;
        this.registerOutputs({ arn: this.arn, url: this.url });
    }
}
