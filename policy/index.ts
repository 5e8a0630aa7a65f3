// The CrossGuard pack: `pulumi preview --policy-pack policy` (from the project root).
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./rules";

new PolicyPack("platform", { policies: ALL_POLICIES });
