import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface GuardedGroupArgs {
    vpcId: pulumi.Input<string>;
    description: string;
    /** The one TCP port the guarded service listens on. */
    port: number;
    /** Security groups admitted on that port; nothing else gets in. */
    sources: pulumi.Input<string>[];
    /** What the sources are, for the rules' descriptions. */
    sourceDescription: string;
}

/**
 * A security group that admits only the given groups on one port and has no egress rules
 * (a data store answers connections but opens none; the provider removes AWS's default
 * allow-all egress rule from groups it creates).
 */
export function guardedSecurityGroup(name: string, args: GuardedGroupArgs, parent: pulumi.Resource): aws.ec2.SecurityGroup {
    const group = new aws.ec2.SecurityGroup(name, { vpcId: args.vpcId, description: args.description, tags: { Name: name } }, { parent });
    args.sources.forEach((source, i) => {
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-${i}`,
            {
                securityGroupId: group.id,
                referencedSecurityGroupId: source,
                ipProtocol: "tcp",
                fromPort: args.port,
                toPort: args.port,
                description: `${args.sourceDescription} on ${args.port}`,
            },
            { parent },
        );
    });
    return group;
}
