import * as fs from "fs";
import * as path from "path";
import type { Plan } from "../../tools/engine";
import { cli, PROJECT_DIR } from "../helpers/plan";

let deliveryPlan: Plan | undefined;

/** The delivery project's stack (the pipelines), planned once per run; undefined if the project doesn't exist. */
export function deliveryPlanOf(): Plan | undefined {
    if (!fs.existsSync(path.join(PROJECT_DIR, "delivery", "Pulumi.delivery.yaml"))) return undefined;
    if (!deliveryPlan) {
        const r = cli(["plan", "--project", "delivery", "--stack", "delivery", "--json"]);
        if (!r.stdout.trim().startsWith("{")) throw new Error(`plan of the delivery stack failed (exit ${r.status}):\n${r.stderr}`);
        deliveryPlan = JSON.parse(r.stdout) as Plan;
    }
    return deliveryPlan;
}
