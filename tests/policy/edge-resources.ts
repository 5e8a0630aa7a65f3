/** Resources several edge rule tests share: distributions with an ALB origin, in us-east-1 and behind a provider in eu-west-1. */
import type { PlannedResource } from "../../tools/engine";
import { resource } from "../helpers/policy";

export const EU_PROVIDER_URN = "urn:pulumi:test::platform::pulumi:providers:aws::eu";
export const euProvider = resource(
    "pulumi:providers:aws",
    "eu",
    { region: "eu-west-1", defaultTags: JSON.stringify({ tags: { environment: "test", project: "platform", owner: "me" } }) },
    { urn: EU_PROVIDER_URN },
);
export const inEu: Partial<PlannedResource> = { options: { provider: EU_PROVIDER_URN } as PlannedResource["options"] };
/** A distribution's inputs with one ALB origin in `region`, HTTPS to viewers and to the origin. */
const albOriginInputs = (region: string) => ({
    enabled: true,
    origins: [
        {
            originId: "alb",
            domainName: `web-alb-1.${region}.elb.amazonaws.com`,
            customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
        },
    ],
    defaultCacheBehavior: {
        targetOriginId: "alb",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
    },
    viewerCertificate: {
        acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c",
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
    },
});

export const euOriginDistribution = (name: string, inputs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    resource(
        "aws:cloudfront/distribution:Distribution",
        name,
        { ...albOriginInputs("eu-west-1"), restrictions: { geoRestriction: { restrictionType: "none" } }, ...inputs },
        { id: `E${name}`, outputs: { arn: `arn:aws:cloudfront::123456789012:distribution/E${name}` }, ...extra },
    );

export const DIST_ARN = "arn:aws:cloudfront::123456789012:distribution/EDGE1";
export const albOriginDistribution = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:cloudfront/distribution:Distribution", name, { ...albOriginInputs("us-east-1"), ...inputs }, { id: name, outputs: { arn: DIST_ARN } });
