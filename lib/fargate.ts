/**
 * Fargate's task sizes: the CPU units a task may ask for, and the memory (MiB) AWS accepts with
 * each (Amazon ECS Developer Guide, "Task CPU and memory", Linux containers on Fargate). Pure
 * facts shared by the config validation, the containers component and the cost estimate.
 */
const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};
export const FARGATE_CPUS = Object.keys(FARGATE_MEMORY_BY_CPU).map(Number);

/** Why a CPU/memory pair is not a Fargate task size, or undefined when it is. */
export function fargateSizeProblem(cpu: number, memory: number): string | undefined {
    const allowed = FARGATE_MEMORY_BY_CPU[cpu];
    if (allowed === undefined) return `is not a Fargate task CPU; use one of ${FARGATE_CPUS.join(", ")}`;
    if (!allowed.includes(memory)) return `is not a Fargate memory size for cpu ${cpu}; use one of ${allowed.join(", ")} (MiB)`;
    return undefined;
}

/** The one port every container service listens on inside the VPC (see the services' contract). */
export const CONTAINER_PORT = 8080;
