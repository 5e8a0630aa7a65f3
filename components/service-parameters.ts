import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "./context";
import { Grants, type Grantee, type Permission } from "./grants";

export interface ServiceParametersArgs {
    /** The parameter path, starting and ending with "/", e.g. /platform/dev/web/. */
    path: string;
    /** Parameter leaf names to values: endpoints, names and ARNs, never secrets (they are stored as plain Strings). */
    values: Record<string, pulumi.Input<string>>;
    /** Grantees that read the whole path with GetParametersByPath (each gets `<name>-read-<grantee>`). */
    readers: Grantee[];
    /** The environment: the parameters' region and account (see PlatformContext). */
    context: Pick<PlatformContext, "region" | "accountId">;
}

/**
 * A service's settings as SSM String parameters under one path, and the grant to read exactly
 * that path. GetParametersByPath is authorized against the path requested, not the parameters
 * returned, so the grant names the path itself (as the service requests it: no trailing "/").
 */
export class ServiceParameters extends pulumi.ComponentResource {
    public readonly path: string;
    /** The ARN GetParametersByPath is authorized against. */
    public readonly pathArn: pulumi.Output<string>;
    private readonly grants: Grants;

    constructor(name: string, args: ServiceParametersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:config:ServiceParameters", name, {}, opts);
        if (!/^(\/[\w.-]+)+\/$/.test(args.path)) throw new Error(`${name}: path ${JSON.stringify(args.path)} must look like /a/b/ (start and end with /)`);
        for (const leaf of Object.keys(args.values)) {
            if (!/^[\w.-]+$/.test(leaf)) throw new Error(`${name}: parameter name ${JSON.stringify(leaf)} may hold only letters, digits, ".", "-" and "_"`);
        }
        this.path = args.path;
        const hierarchy = args.path.replace(/\/$/, "");
        this.pathArn = pulumi.interpolate`arn:aws:ssm:${args.context.region}:${args.context.accountId}:parameter${hierarchy}`;

        for (const [leaf, value] of Object.entries(args.values)) {
            // insecureValue: the provider marks `value` secret whatever it holds; these are plain
            // settings that should read plainly in previews (a secret input still stays secret).
            new aws.ssm.Parameter(
                `${name}-${leaf}`,
                { name: `${args.path}${leaf}`, type: "String", insecureValue: value, description: `${leaf} (written by the platform program)` },
                { parent: this },
            );
        }
        this.grants = new Grants(this, name);
        for (const reader of args.readers) this.grantRead(reader);
        this.registerOutputs({ pathArn: this.pathArn });
    }

    /** GetParametersByPath on exactly this path. */
    readPermission(): Permission {
        return this.grants.permission("read", [{ Sid: "ReadSettingsPath", Action: "ssm:GetParametersByPath", Resource: this.pathArn }]);
    }

    /** Grants `readPermission` as the policy `<name>-read-<grantee>`. */
    grantRead(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.readPermission(), grantee);
    }
}
