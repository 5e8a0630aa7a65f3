/** ECR rules: immutable tags, scan on push, KMS encryption. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { isUnknown } from "../lib";
import type { PlatformPolicy } from "../types";

export const ecrPolicies: PlatformPolicy[] = [
    {
        name: "ecr-immutable-tags",
        description: "ECR repositories have immutable tags, so a tag names one image forever and a deploy is reproducible.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ecr.Repository, (repo, _a, report) => {
            if (isUnknown(repo.imageTagMutability)) return;
            // IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION (tags matching its filters stay mutable: still immutable by default).
            if (!String(repo.imageTagMutability ?? "MUTABLE").startsWith("IMMUTABLE"))
                report(`has ${repo.imageTagMutability ?? "MUTABLE"} tags; use IMMUTABLE`);
        }),
    },
    {
        name: "ecr-scan-on-push",
        description: "ECR repositories scan every image on push.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ecr.Repository, (repo, _a, report) => {
            const scan = repo.imageScanningConfiguration;
            if (isUnknown(scan)) return;
            if (scan?.scanOnPush !== true) report("does not scan images on push");
        }),
    },
    {
        name: "ecr-kms-encrypted",
        description: "ECR repositories encrypt images with a customer-managed KMS key.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ecr.Repository, (repo, _a, report) => {
            const enc = repo.encryptionConfigurations;
            if (isUnknown(enc)) return;
            const first = Array.isArray(enc) ? enc[0] : undefined;
            if (first?.encryptionType !== "KMS" || !first?.kmsKey) report("is not encrypted with a customer-managed KMS key (encryptionType KMS with kmsKey)");
        }),
    },
];
