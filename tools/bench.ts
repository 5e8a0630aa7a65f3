/**
 * `npm run bench`: how long one stack evaluation takes in a fresh process, against merely
 * loading @pulumi/pulumi and @pulumi/aws in a fresh process. Both are measured in this run,
 * interleaved so machine noise hits both alike; the median of N runs is reported. Then the
 * analytics producer's figure: records/s of batched PutRecords against one PutRecord per record,
 * both against the same local Kinesis in this run (`--records N`, default 2000).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { parseArgs } from "util";
import { producerThroughput } from "./bench-producer";

function timeProcess(args: string[], cwd: string): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function bench(argv: string[], projectDir: string): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { runs: { type: "string" }, stack: { type: "string" }, records: { type: "string" } } });
    const runs = Number(values.runs ?? 7);
    const stack = values.stack ?? "dev";
    const load = ["-e", "require('@pulumi/pulumi'); require('@pulumi/aws')"];
    const evaluate = [path.join(projectDir, "tools", "run.js"), "evaluate", "--stack", stack];

    timeProcess(evaluate, projectDir); // warm the transpile cache and the OS file cache
    timeProcess(load, projectDir);
    const loadTimes: number[] = [];
    const evalTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
        loadTimes.push(timeProcess(load, projectDir));
        evalTimes.push(timeProcess(evaluate, projectDir));
    }
    const loadMs = median(loadTimes);
    const evalMs = median(evalTimes);
    const ratio = evalMs / loadMs;
    console.log(`load @pulumi/pulumi + @pulumi/aws (fresh process): ${loadMs.toFixed(0)} ms (median of ${runs})`);
    console.log(`evaluate stack "${stack}" (fresh process):         ${evalMs.toFixed(0)} ms (median of ${runs})`);
    console.log(`ratio: ${ratio.toFixed(2)} (budget 1.50)`);

    const producer = await producerThroughput(Number(values.records ?? 2000));
    console.log(`kinesis producer, ${producer.records} records to kinesalite on loopback (median of 3):`);
    console.log(`  batched PutRecords:        ${producer.batchedPerSecond.toFixed(0)} records/s`);
    console.log(`  one PutRecord per record:  ${producer.singlePerSecond.toFixed(0)} records/s`);
    console.log(`producer ratio: ${producer.ratio.toFixed(1)}x (batched / one per record)`);
    return 0;
}
