/**
 * `npm run bench`: how long one stack evaluation takes in a fresh process, against merely
 * loading @pulumi/pulumi and @pulumi/aws in a fresh process (the budget is 1.5x). All series
 * are measured in this run, interleaved so machine noise hits them alike; the median of N runs is
 * reported. For the record it also times the same load through the module cache that the command
 * line uses (tools/module-cache.js) and the evaluation without it, so the cache's share of the
 * figure is plain. Then the analytics producer's figure: records/s of batched PutRecords against
 * one PutRecord per record, both against the same local Kinesis in this run (`--records N`,
 * default 2000).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { parseArgs } from "util";
import { producerThroughput } from "./bench-producer";

function timeProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function bench(argv: string[], projectDir: string): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { runs: { type: "string" }, stack: { type: "string" }, records: { type: "string" } } });
    const runs = Number(values.runs ?? 7);
    const stack = values.stack ?? "dev";
    const loadSdks = "require('@pulumi/pulumi'); require('@pulumi/aws')";
    const nodeModules = path.join(projectDir, "node_modules");
    const cacheDir = path.join(nodeModules, ".cache", "platform-modules");
    // The yardstick, then the evaluation as `plan` runs it (its module cache warm); for the record,
    // the same load through the module cache, and the evaluation without it (a fresh clone's first run).
    const series: { label: string; args: string[]; env?: NodeJS.ProcessEnv; times: number[] }[] = [
        { label: "load @pulumi/pulumi + @pulumi/aws (fresh process)", args: ["-e", loadSdks], times: [] },
        { label: `evaluate stack "${stack}" (fresh process)`, args: [path.join(projectDir, "tools", "run.js"), "evaluate", "--stack", stack], times: [] },
        {
            label: "  the same load through the module cache",
            args: [
                "-e",
                `require(${JSON.stringify(path.join(projectDir, "tools", "module-cache.js"))}).installModuleCache(${JSON.stringify(nodeModules)}, ${JSON.stringify(cacheDir)}); ${loadSdks}`,
            ],
            times: [],
        },
        {
            label: "  the evaluation without the module cache",
            args: [path.join(projectDir, "tools", "run.js"), "evaluate", "--stack", stack],
            env: { ...process.env, PLATFORM_MODULE_CACHE: "off" },
            times: [],
        },
    ];
    for (const s of series) timeProcess(s.args, projectDir, s.env); // warm the caches and the OS file cache
    for (let i = 0; i < runs; i++) for (const s of series) s.times.push(timeProcess(s.args, projectDir, s.env)); // interleaved: noise hits all alike
    const [load, evaluate, cachedLoad, uncached] = series.map((s) => median(s.times));
    const line = (label: string, ms: number) => console.log(`${label}:`.padEnd(56) + `${ms.toFixed(0)} ms (median of ${runs})`);
    line(series[0].label, load);
    line(series[1].label, evaluate);
    console.log(`ratio: ${(evaluate / load).toFixed(2)} (budget 1.50)`);
    console.log("for the record (tools/module-cache.js keeps compiled code and module resolution between runs):");
    line(series[2].label, cachedLoad);
    line(series[3].label, uncached);
    console.log(`  the evaluation beyond loading the SDKs, cache warm in both: ${(evaluate - cachedLoad).toFixed(0)} ms`);

    const producer = await producerThroughput(Number(values.records ?? 2000));
    console.log(`kinesis producer, ${producer.records} records to kinesalite on loopback (median of 3):`);
    console.log(`  batched PutRecords:        ${producer.batchedPerSecond.toFixed(0)} records/s`);
    console.log(`  one PutRecord per record:  ${producer.singlePerSecond.toFixed(0)} records/s`);
    console.log(`producer ratio: ${producer.ratio.toFixed(1)}x (batched / one per record)`);
    return 0;
}
