/** CodePipeline rules: encrypted artifacts, approval before prod deploys, triggers, connections. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { isProdStackName } from "../environment";
import { StackGraph } from "../graph";
import { asList, at, isProd, isSet, isUnknown, json, UNKNOWN, type Unknown } from "../lib";
import { roleAllows } from "../shared";
import type { PlatformPolicy } from "../types";

const PIPELINE = "aws:codepipeline/pipeline:Pipeline";

const PROJECT = "aws:codebuild/project:Project";

const CONNECTION = "aws:codestarconnections/connection:Connection";

const CONNECTION_PROVIDER = "CodeStarSourceConnection";

interface Action {
    name: string;
    category: string;
    provider: string;
    configuration?: Record<string, string>;
}

interface Stage {
    name: string;
    actions: Action[];
}

/** The stack a deploy stage targets: a STACK (or PULUMI_STACK) variable on its action or its CodeBuild project. */
function targetStack(g: StackGraph, stage: Stage): string | undefined | Unknown {
    for (const a of stage.actions) {
        const vars = [...asList(json(a.configuration?.EnvironmentVariables)).map((v) => ({ name: at(v, "name"), value: at(v, "value") }))];
        const projectName = a.configuration?.ProjectName;
        if (isUnknown(projectName)) return UNKNOWN;
        for (const p of typeof projectName === "string" ? g.ofType(PROJECT).filter((n) => n.props.name === projectName) : []) {
            vars.push(...asList(at(p.props.environment, "environmentVariables")).map((v) => ({ name: at(v, "name"), value: at(v, "value") })));
        }
        const stack = vars.find((v) => v.name === "STACK" || v.name === "PULUMI_STACK")?.value;
        if (isUnknown(stack)) return UNKNOWN;
        if (typeof stack === "string") return stack;
    }
    return undefined;
}

const isDeployStage = (s: Stage) => /deploy/i.test(s.name) || s.actions.some((a) => a.category === "Deploy" || /deploy/i.test(a.name));

export const codepipelinePolicies: PlatformPolicy[] = [
    {
        name: "codepipeline-artifact-store-encrypted",
        description: "CodePipeline artifact stores are encrypted with a customer-managed KMS key.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.codepipeline.Pipeline, (p, _a, report) => {
            for (const store of p.artifactStores ?? [])
                if (!isSet(store, "encryptionKey.id")) report(`artifact store ${store.location} names no KMS encryption key`);
        }),
    },
    {
        name: "codepipeline-approval-before-deploy-prod",
        description:
            "A pipeline that deploys a prod stack stops for a manual approval before its first deploy stage (the target stack is read from the deploy action's STACK variable, else the pack's environment).",
        enforcementLevel: "mandatory",
        environmentAware: true,
        covers: [PIPELINE, PROJECT],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const pipeline of g.ofType(PIPELINE)) {
                const stages = pipeline.props.stages;
                if (isUnknown(stages) || asList(stages).some((s) => isUnknown(s) || isUnknown(at(s, "actions")))) continue;
                const list = asList(stages) as Stage[];
                const deploy = list.findIndex(isDeployStage);
                if (deploy < 0) continue;
                // A delivery stack may hold pipelines for several stacks: the one it deploys decides.
                const target = targetStack(g, list[deploy]);
                if (isUnknown(target)) continue;
                const prod = target !== undefined ? isProdStackName(target) : isProd(args);
                if (!prod) continue;
                const approval = list.findIndex((s) => s.actions.some((a) => a.category === "Approval"));
                if (approval < 0 || approval > deploy)
                    report(`deploys ${target ?? "a prod stack"} (stage ${list[deploy].name}) with no manual approval before it`, pipeline.urn);
            }
        },
    },
    {
        name: "codepipeline-v2-triggers-source",
        description: "A V2 pipeline's triggers name a CodeStarSourceConnection source action of the pipeline (AWS rejects anything else).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.codepipeline.Pipeline, (p, _a, report) => {
            const actions = ((p.stages ?? []) as unknown as Stage[]).flatMap((s) => s.actions);
            for (const t of p.triggers ?? []) {
                const name = t.gitConfiguration?.sourceActionName;
                const action = actions.find((a) => a.name === name);
                if (!action) report(`trigger names source action ${name}, which the pipeline doesn't have`);
                else if (action.provider !== CONNECTION_PROVIDER)
                    report(`trigger names action ${name}, a ${action.provider} action; triggers need a ${CONNECTION_PROVIDER} source`);
            }
        }),
    },
    {
        name: "codepipeline-role-uses-connection",
        description:
            "A pipeline whose source is a CodeStar/CodeConnections connection has a role allowed to use that connection (codestar-connections:UseConnection).",
        enforcementLevel: "mandatory",
        covers: [PIPELINE, CONNECTION],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const pipeline of g.ofType(PIPELINE)) {
                const stages = pipeline.props.stages;
                if (isUnknown(stages)) continue;
                const connections = asList(stages)
                    .flatMap((s) => asList(at(s, "actions")))
                    .filter((a) => at(a, "provider") === CONNECTION_PROVIDER)
                    .map((a) => at(a, "configuration.ConnectionArn"));
                if (connections.length === 0) continue;
                const roles = g.rolesOf(pipeline, "roleArn");
                if (isUnknown(roles)) continue;
                for (const arn of connections) {
                    if (typeof arn !== "string") continue;
                    for (const role of roles) {
                        const legacy = roleAllows(g, role, "codestar-connections:UseConnection", arn);
                        const renamed = roleAllows(g, role, "codeconnections:UseConnection", arn);
                        if (legacy === false && renamed === false)
                            report(
                                `role ${role.name} may not use connection ${arn} (codestar-connections:UseConnection); the source stage fails`,
                                pipeline.urn,
                            );
                    }
                }
            }
        },
    },
];
